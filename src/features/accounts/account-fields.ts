import { issueValueOf, normalizeAccountField, textOf, type AccountFieldName, type FieldIssue } from '../normalization/index.ts';

/** Core account columns that group traits fill; everything else stays a custom trait. */
export interface AccountFields {
  name?: string;
  domain?: string;
  industry?: string;
  employees?: number;
  annual_revenue?: string;
  country?: string;
}

type Traits = Record<string, unknown>;

/** `https://www.Acme.co.uk/about` -> `acme.co.uk` (the registrable domain); undefined when there is none. */
export function domainOf(value: unknown): string | undefined {
  const result = normalizeAccountField('domain', value);
  return result?.ok ? result.value : undefined;
}

function nonNegativeNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value.replace(/[,_\s]/g, '')) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

export interface ExtractedAccount {
  fields: AccountFields;
  custom: Traits;
  /** Values that failed their check; each one also stays in `custom` under its own key. */
  issues: FieldIssue[];
}

/** Splits group traits into normalized core account fields and custom traits; nothing is dropped. */
export function extractAccountFields(traits: Traits): ExtractedAccount {
  const custom: Traits = { ...traits };
  const fields: AccountFields = {};
  const issues: FieldIssue[] = [];
  const normalized = (field: AccountFieldName) => (v: unknown) => {
    const result = normalizeAccountField(field, v);
    if (result && !result.ok) issues.push({ field, value: issueValueOf(v), reason: result.reason });
    if (!result?.ok) return undefined;
    for (const [k, extra] of Object.entries(result.extra ?? {})) if (!(k in custom)) custom[k] = extra;
    return result.value;
  };
  const take = (keys: string[], parse: (v: unknown) => unknown, assign: (v: never) => void) => {
    for (const key of keys) {
      if (!(key in custom)) continue;
      const value = parse(custom[key]);
      if (value === undefined) continue;
      assign(value as never);
      delete custom[key];
      return;
    }
  };
  take(['name', 'companyName', 'company_name'], normalized('name'), (v) => (fields.name = v));
  take(['domain', 'website', 'url'], normalized('domain'), (v) => (fields.domain = v));
  take(['industry'], (v) => textOf(v)?.slice(0, 500), (v) => (fields.industry = v));
  take(['employees', 'employeeCount', 'employee_count', 'numberOfEmployees'], (v) => {
    const n = nonNegativeNumber(v);
    return n !== undefined && n <= 2_147_483_647 ? Math.round(n) : undefined;
  }, (v) => (fields.employees = v));
  take(['annualRevenue', 'annual_revenue', 'revenue'], (v) => {
    const n = nonNegativeNumber(v);
    return n !== undefined && n < 1e18 ? n.toFixed(2) : undefined;
  }, (v) => (fields.annual_revenue = v));
  take(['country'], normalized('country'), (v) => (fields.country = v));
  const address = custom.address;
  if (!fields.country && typeof address === 'object' && address !== null) {
    const country = normalized('country')((address as Traits).country);
    if (country) fields.country = country;
  }
  return { fields, custom, issues: issues.filter((i) => fields[i.field as keyof AccountFields] === undefined) };
}
