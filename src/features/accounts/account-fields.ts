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

function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 500);
}

/** `https://www.Acme.com/about` -> `acme.com`; undefined when it is not a host name. */
export function domainOf(value: unknown): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
    const host = url.hostname.toLowerCase().replace(/^www\./, '').replace(/\.$/, '');
    return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

function nonNegativeNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' ? Number(value.replace(/[,_\s]/g, '')) : value;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Splits group traits into core account fields and custom traits; nothing is dropped. */
export function extractAccountFields(traits: Traits): { fields: AccountFields; custom: Traits } {
  const custom: Traits = { ...traits };
  const fields: AccountFields = {};
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
  take(['name', 'companyName', 'company_name'], text, (v) => (fields.name = v));
  take(['domain', 'website', 'url'], domainOf, (v) => (fields.domain = v));
  take(['industry'], text, (v) => (fields.industry = v));
  take(['employees', 'employeeCount', 'employee_count', 'numberOfEmployees'], (v) => {
    const n = nonNegativeNumber(v);
    return n !== undefined && n <= 2_147_483_647 ? Math.round(n) : undefined;
  }, (v) => (fields.employees = v));
  take(['annualRevenue', 'annual_revenue', 'revenue'], (v) => {
    const n = nonNegativeNumber(v);
    return n !== undefined && n < 1e18 ? n.toFixed(2) : undefined;
  }, (v) => (fields.annual_revenue = v));
  take(['country'], text, (v) => (fields.country = v));
  const address = custom.address;
  if (!fields.country && typeof address === 'object' && address !== null) {
    const country = text((address as Traits).country);
    if (country) fields.country = country;
  }
  return { fields, custom };
}
