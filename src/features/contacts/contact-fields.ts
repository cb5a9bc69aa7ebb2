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

// Segment's reserved traits, and the snake_case spellings other sources use.
const ALIASES: Record<keyof ContactFields, string[]> = {
  email: ['email'],
  phone: ['phone', 'phoneNumber', 'phone_number'],
  first_name: ['firstName', 'first_name'],
  last_name: ['lastName', 'last_name'],
  title: ['title', 'jobTitle', 'job_title'],
  company: ['company', 'companyName', 'company_name'],
  country: ['country'],
  timezone: ['timezone', 'timeZone', 'time_zone'],
};
const MAX_FIELD_LENGTH = 500;

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lower-cased, trimmed email when it is plausibly an address; undefined otherwise. */
export function normalizeEmail(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const email = value.trim().toLowerCase();
  return email.length <= 320 && EMAIL_PATTERN.test(email) ? email : undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, MAX_FIELD_LENGTH);
}

/**
 * Splits identify traits into core contact fields and custom traits. Nothing is dropped:
 * a value that does not fit its core column (an email that is no address) stays a trait.
 */
export function extractContactFields(traits: Traits, context: Traits = {}): { fields: ContactFields; custom: Traits } {
  const custom: Traits = { ...traits };
  const fields: ContactFields = {};
  for (const [column, keys] of Object.entries(ALIASES) as Array<[keyof ContactFields, string[]]>) {
    for (const key of keys) {
      if (!(key in custom)) continue;
      let raw = custom[key];
      if (column === 'company' && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) raw = (raw as Traits).name;
      const value = column === 'email' ? normalizeEmail(raw) : text(raw);
      if (value === undefined) continue;
      fields[column] ??= value;
      if (column !== 'company' || typeof custom[key] !== 'object') delete custom[key];
    }
  }
  if (!fields.first_name && !fields.last_name && typeof custom.name === 'string') {
    const parts = custom.name.trim().split(/\s+/);
    if (parts[0]) {
      fields.first_name = parts[0];
      if (parts.length > 1) fields.last_name = parts.slice(1).join(' ');
      delete custom.name;
    }
  }
  const address = custom.address;
  if (!fields.country && typeof address === 'object' && address !== null) fields.country = text((address as Traits).country);
  if (!fields.timezone) {
    const tz = text(context.timezone);
    if (tz) fields.timezone = tz;
  }
  if (fields.country === undefined) delete fields.country;
  return { fields, custom };
}
