import { cleanPersonName, issueValueOf, MAX_FIELD_LENGTH, normalizeContactField, normalizeEmailAddress, type ContactFieldName, type FieldIssue } from '../normalization/index.ts';

/** Core contact columns that identify traits fill; everything else stays a custom trait. */
export interface ContactFields {
  email?: string;
  phone?: string;
  first_name?: string;
  last_name?: string;
  title?: string;
  company?: string;
  country?: string;
  timezone?: string;
}

type Traits = Record<string, unknown>;

// Segment's reserved traits, and the snake_case spellings other sources use. Country
// comes before phone: a national number is read in the contact's country.
const ALIASES: Array<[ContactFieldName, string[]]> = [
  ['email', ['email']],
  ['country', ['country']],
  ['phone', ['phone', 'phoneNumber', 'phone_number']],
  ['first_name', ['firstName', 'first_name']],
  ['last_name', ['lastName', 'last_name']],
  ['title', ['title', 'jobTitle', 'job_title']],
  ['company', ['company', 'companyName', 'company_name']],
  ['timezone', ['timezone', 'timeZone', 'time_zone']],
];

/** Lower-cased, trimmed email when it is an address (see normalization's checkEmail); undefined otherwise. */
export const normalizeEmail = (value: unknown): string | undefined => normalizeEmailAddress(value);

export interface ExtractedContact {
  fields: ContactFields;
  custom: Traits;
  /** Values that failed their check; each one also stays in `custom` under its own key. */
  issues: FieldIssue[];
}

/**
 * Splits identify traits into normalized core contact fields and custom traits. Nothing
 * is dropped: a value that fails its check (an email that is no address, a phone number
 * that is no number) stays a trait and is reported in `issues`.
 */
export function extractContactFields(traits: Traits, context: Traits = {}): ExtractedContact {
  const custom: Traits = { ...traits };
  const fields: ContactFields = {};
  const issues: FieldIssue[] = [];
  const address = typeof custom.address === 'object' && custom.address !== null ? (custom.address as Traits) : undefined;
  for (const [column, keys] of ALIASES) {
    for (const key of keys) {
      if (!(key in custom)) continue;
      const raw = column === 'company' && isObject(custom[key]) ? (custom[key] as Traits).name : custom[key];
      const result = normalizeContactField(column, raw, { country: fields.country });
      if (result === undefined) continue;
      if (!result.ok) {
        if (!issues.some((i) => i.field === column)) issues.push({ field: column, value: issueValueOf(raw), reason: result.reason });
        continue;
      }
      if (fields[column] === undefined) {
        fields[column] = result.value;
        for (const [k, v] of Object.entries(result.extra ?? {})) if (!(k in custom)) custom[k] = v;
      }
      if (column !== 'company' || !isObject(custom[key])) delete custom[key];
    }
    if (column === 'country' && fields.country === undefined && address && address.country !== undefined) {
      const result = normalizeContactField('country', address.country);
      if (result?.ok) fields.country = result.value;
      else if (result) issues.push({ field: 'country', value: issueValueOf(address.country), reason: result.reason });
    }
  }
  // An issue on a field that another alias filled is no issue for the contact.
  const kept = issues.filter((i) => fields[i.field as keyof ContactFields] === undefined);
  splitFullName(custom, fields);
  if (!fields.timezone) {
    const tz = normalizeContactField('timezone', context.timezone);
    if (tz?.ok) fields.timezone = tz.value;
  }
  return { fields, custom, issues: kept };
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `name: "Dr. Ada van Lovelace"` fills first and last name when neither is given. */
function splitFullName(custom: Traits, fields: ContactFields): void {
  if (fields.first_name || fields.last_name || typeof custom.name !== 'string') return;
  const full = cleanPersonName(custom.name.slice(0, MAX_FIELD_LENGTH), 'full');
  if (!full || !/\p{L}/u.test(full.value)) return;
  const parts = full.value.split(' ');
  if (full.honorific && !('honorific' in custom)) custom.honorific = full.honorific;
  if (full.suffix && !('name_suffix' in custom)) custom.name_suffix = full.suffix;
  // Surname particles (van, de, von) belong to the last name: "Ada van Lovelace".
  const particle = parts.findIndex((p, i) => i > 0 && /^(van|von|de|der|den|del|della|di|da|dos|du|la|le|ter|ten|zu)$/.test(p));
  const split = parts.length > 1 ? (particle > 0 ? particle : 1) : parts.length;
  fields.first_name = parts.slice(0, split).join(' ');
  if (split < parts.length) fields.last_name = parts.slice(split).join(' ');
  delete custom.name;
}
