import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { ImportKind } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';

/**
 * Where a CSV column goes: a core field of the kind, `trait.<name>` (contacts, accounts)
 * or `property.<name>` (events) for custom data, or `ignore`.
 */
export type ColumnTarget = string;
export type HeaderMapping = Record<string, ColumnTarget>;

export const IMPORT_KINDS: readonly ImportKind[] = ['contacts', 'accounts', 'opportunities', 'events'];

// Core fields per kind, each with the spellings real exports use (compared after
// lower-casing and dropping everything but letters and digits).
const FIELDS: Record<ImportKind, Record<string, string[]>> = {
  contacts: {
    email: ['email', 'emailaddress', 'mail', 'email1', 'workemail', 'businessemail', 'primaryemail', 'emailid'],
    user_id: ['userid', 'contactid', 'externalid', 'leadid', 'crmid', 'personid', 'id'],
    first_name: ['firstname', 'first', 'givenname', 'forename', 'fname', 'prenom', 'vorname'],
    last_name: ['lastname', 'last', 'surname', 'familyname', 'lname', 'nom', 'nachname'],
    name: ['name', 'fullname', 'contactname', 'displayname'],
    phone: ['phone', 'phonenumber', 'telephone', 'tel', 'mobile', 'mobilephone', 'cell', 'workphone', 'businessphone'],
    title: ['title', 'jobtitle', 'position', 'role', 'designation'],
    company: ['company', 'companyname', 'organization', 'organisation', 'employer', 'accountname', 'account', 'firma', 'unternehmen', 'societe', 'empresa'],
    country: ['country', 'countryregion', 'countrycode', 'nation', 'pays', 'land'],
    timezone: ['timezone', 'tz', 'time zone'],
  },
  accounts: {
    external_id: ['externalid', 'accountid', 'companyid', 'id', 'crmid', 'organizationid', 'groupid'],
    domain: ['domain', 'website', 'url', 'web', 'companydomain', 'companywebsite', 'homepage', 'site'],
    name: ['name', 'accountname', 'companyname', 'company', 'organization', 'organisation'],
    industry: ['industry', 'sector', 'vertical'],
    employees: ['employees', 'employeecount', 'numberofemployees', 'headcount', 'size', 'companysize', 'noofemployees'],
    annual_revenue: ['annualrevenue', 'revenue', 'arr', 'turnover'],
    country: ['country', 'countryregion', 'hqcountry', 'billingcountry'],
  },
  opportunities: {
    external_id: ['externalid', 'opportunityid', 'dealid', 'id', 'crmid', 'oppid'],
    name: ['name', 'opportunityname', 'dealname', 'opportunity', 'deal'],
    amount: ['amount', 'value', 'dealvalue', 'revenue', 'dealamount'],
    currency: ['currency', 'currencycode', 'currencyisocode'],
    stage: ['stage', 'stagename', 'dealstage', 'pipelinestage'],
    status: ['status'],
    created_date: ['createddate', 'created', 'createdat', 'createdon', 'opendate', 'startdate'],
    closed_date: ['closeddate', 'closedate', 'closed', 'closedat', 'closedon'],
    account_external_id: ['accountid', 'accountexternalid', 'companyid', 'organizationid'],
    account_domain: ['accountdomain', 'domain', 'website', 'companydomain', 'accountwebsite'],
  },
  events: {
    event: ['event', 'eventname', 'name', 'action', 'activity', 'activitytype'],
    timestamp: ['timestamp', 'time', 'date', 'datetime', 'occurredat', 'createdat', 'eventtime', 'activitydate'],
    email: ['email', 'emailaddress', 'contactemail', 'useremail'],
    user_id: ['userid', 'contactid', 'externalid', 'leadid'],
    anonymous_id: ['anonymousid', 'visitorid', 'cookieid'],
    message_id: ['messageid', 'eventid', 'id'],
  },
};

const CUSTOM_PREFIX: Record<ImportKind, string | null> = { contacts: 'trait.', accounts: 'trait.', opportunities: null, events: 'property.' };

const squash = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** `Lead Source (Original)` -> `lead_source_original`: a trait name from a column name. */
export function traitNameOf(header: string): string {
  const name = header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? 'column' : name.slice(0, 100);
}

export function fieldsOf(kind: ImportKind): string[] {
  return Object.keys(FIELDS[kind]);
}

/**
 * Suggests a target for every column from its name. Each core field is taken by the
 * first column that names it; columns that name nothing known become custom data
 * (opportunities have no custom data: those columns are ignored, and shown so).
 */
export function suggestMapping(kind: ImportKind, header: string[]): HeaderMapping {
  const mapping: HeaderMapping = {};
  const taken = new Set<string>();
  for (const column of header) {
    const key = squash(column);
    const field = Object.entries(FIELDS[kind]).find(([f, names]) => !taken.has(f) && names.includes(key))?.[0];
    if (field) {
      mapping[column] = field;
      taken.add(field);
    } else {
      const prefix = CUSTOM_PREFIX[kind];
      mapping[column] = prefix ? `${prefix}${traitNameOf(column)}` : 'ignore';
    }
  }
  return mapping;
}

/** The suggestion with the user's choices laid over it; every target is checked. */
export function resolveMapping(kind: ImportKind, header: string[], overrides: HeaderMapping = {}): HeaderMapping {
  const mapping = suggestMapping(kind, header);
  for (const [column, target] of Object.entries(overrides)) {
    if (!header.includes(column)) {
      throw new AppError('invalid', `Mapping names column ${JSON.stringify(column)}, which is not in the header (${header.map((h) => JSON.stringify(h)).join(', ')})`, { field: 'mapping', value: column });
    }
    mapping[column] = checkTarget(kind, column, target.trim());
  }
  const used = new Map<string, string>();
  for (const [column, target] of Object.entries(mapping)) {
    if (target === 'ignore') continue;
    const other = used.get(target);
    if (other) throw new AppError('invalid', `Columns ${JSON.stringify(other)} and ${JSON.stringify(column)} both map to ${JSON.stringify(target)}`, { field: 'mapping', value: target });
    used.set(target, column);
  }
  return mapping;
}

function checkTarget(kind: ImportKind, column: string, target: string): string {
  if (target === 'ignore' || fieldsOf(kind).includes(target)) return target;
  const prefix = CUSTOM_PREFIX[kind];
  if (prefix && target.startsWith(prefix) && /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/.test(target.slice(prefix.length))) return target;
  const custom = prefix ? `, ${prefix}<name>` : '';
  throw new AppError('invalid', `Mapping of column ${JSON.stringify(column)}: target ${JSON.stringify(target)} is not one of ${fieldsOf(kind).join(', ')}${custom}, ignore`, {
    field: 'mapping',
    value: target,
  });
}

/** `--map "Email Address=email"`, repeatable; the last `=` splits (column names may hold one). */
export function parseMapOptions(values: string[]): HeaderMapping {
  const mapping: HeaderMapping = {};
  for (const value of values) {
    const at = value.lastIndexOf('=');
    if (at <= 0 || at === value.length - 1) throw new AppError('invalid', `--map must look like "Column Name=field", got ${JSON.stringify(value)}`, { field: 'map', value });
    mapping[value.slice(0, at).trim()] = value.slice(at + 1).trim();
  }
  return mapping;
}

const MappingFileSchema = z.union([
  z.object({ columns: z.record(z.string(), z.string()) }).strict(),
  z.record(z.string(), z.string()),
]);

/** A mapping file: YAML or JSON, `{ "Email Address": email }` or `{ columns: { ... } }`. */
export function parseMappingText(text: string, source: string): HeaderMapping {
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML 1.2 is a superset of JSON
  } catch (error) {
    throw new AppError('invalid', `Mapping ${source} is not valid YAML or JSON: ${(error as Error).message}`, { field: 'mapping' });
  }
  const parsed = MappingFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('invalid', `Mapping ${source} must map column names to fields (strings): ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(), { field: 'mapping' });
  }
  const data = parsed.data;
  return 'columns' in data && typeof data.columns === 'object' ? (data.columns as HeaderMapping) : (data as HeaderMapping);
}
