import { cleanCompanyName, companyMatchKey } from './company-name.ts';
import { checkCountry } from './country.ts';
import { checkEmail } from './email.ts';
import { cleanJobTitle, cleanPersonName } from './person-name.ts';
import { checkPhone } from './phone.ts';
import { checkWebsiteDomain } from './web-domain.ts';

/** A value that failed its check: kept as a trait, recorded as a validation issue. */
export interface FieldIssue {
  field: string;
  /** The value as received (text; other types as JSON), at most 500 characters. */
  value: string;
  reason: string;
}

/**
 * The outcome of one field: a normalized value; an issue (the raw value stays a custom
 * trait); or absent (nothing usable and nothing wrong: null, empty).
 */
export type FieldResult = { ok: true; value: string; extra?: Record<string, string> } | { ok: false; reason: string } | undefined;

export const MAX_FIELD_LENGTH = 500;

/** Trimmed text, or undefined for empty and non-text values (numbers become text). */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

const isBlank = (value: unknown) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '');

function checkTimezone(value: unknown): FieldResult {
  const text = textOf(value);
  if (!text) return { ok: false, reason: 'not a time zone name' };
  try {
    // resolvedOptions gives the canonical spelling (america/new_york -> America/New_York).
    return { ok: true, value: new Intl.DateTimeFormat('en-US', { timeZone: text }).resolvedOptions().timeZone };
  } catch {
    return { ok: false, reason: 'not an IANA time zone' };
  }
}

function checkText(value: unknown, clean: (text: string) => string | undefined): FieldResult {
  const text = textOf(value);
  if (text === undefined) return typeof value === 'string' ? undefined : { ok: false, reason: `a ${Array.isArray(value) ? 'list' : typeof value}, not text` };
  const cleaned = clean(text.slice(0, MAX_FIELD_LENGTH));
  return cleaned === undefined ? undefined : { ok: true, value: cleaned };
}

function checkName(value: unknown, position: 'first' | 'last'): FieldResult {
  const text = textOf(value);
  if (text === undefined) return typeof value === 'string' ? undefined : { ok: false, reason: 'not text' };
  const name = cleanPersonName(text.slice(0, MAX_FIELD_LENGTH), position);
  if (!name) return undefined;
  if (!/\p{L}/u.test(name.value)) return { ok: false, reason: 'has no letters' };
  const extra: Record<string, string> = {};
  if (name.honorific) extra.honorific = name.honorific;
  if (name.suffix) extra.name_suffix = name.suffix;
  return { ok: true, value: name.value, extra };
}

export type ContactFieldName = 'email' | 'phone' | 'first_name' | 'last_name' | 'title' | 'company' | 'country' | 'timezone';
export type AccountFieldName = 'name' | 'domain' | 'country';

/**
 * Normalizes one core contact field. `country` (alpha-2) is the hint phone numbers are
 * read in; pass the contact's normalized country when it has one.
 */
export function normalizeContactField(field: ContactFieldName, value: unknown, hints: { country?: string | undefined } = {}): FieldResult {
  if (isBlank(value)) return undefined;
  switch (field) {
    case 'email': {
      const check = checkEmail(value);
      return check.ok ? { ok: true, value: check.email.address } : check;
    }
    case 'phone': {
      const check = checkPhone(value, hints.country);
      return check.ok ? { ok: true, value: check.e164, ...(check.country ? { extra: { phone_country: check.country } } : {}) } : check;
    }
    case 'country': {
      const check = checkCountry(value);
      return check.ok ? { ok: true, value: check.code } : check;
    }
    case 'first_name':
    case 'last_name':
      return checkName(value, field === 'first_name' ? 'first' : 'last');
    case 'title':
      return checkText(value, cleanJobTitle);
    case 'company': {
      const result = checkText(value, cleanCompanyName);
      const key = result?.ok ? companyMatchKey(result.value) : undefined;
      return result?.ok && key ? { ...result, extra: { company_match_key: key } } : result;
    }
    case 'timezone':
      return checkTimezone(value);
  }
}

/** Normalizes one core account field (name, domain from a website or URL, country). */
export function normalizeAccountField(field: AccountFieldName, value: unknown): FieldResult {
  if (isBlank(value)) return undefined;
  switch (field) {
    case 'name': {
      const result = checkText(value, cleanCompanyName);
      const key = result?.ok ? companyMatchKey(result.value) : undefined;
      return result?.ok && key ? { ...result, extra: { name_match_key: key } } : result;
    }
    case 'domain': {
      const check = checkWebsiteDomain(value);
      return check.ok ? { ok: true, value: check.domain } : check;
    }
    case 'country': {
      const check = checkCountry(value);
      return check.ok ? { ok: true, value: check.code } : check;
    }
  }
}

/** The raw value as it is stored in an issue: text as is, anything else as JSON. */
export function issueValueOf(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.slice(0, MAX_FIELD_LENGTH);
}
