import { createRequire } from 'node:module';
import type * as Phone from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';

// Loaded on first use (its full metadata takes ~0.2 s): `keel` commands that never read a
// phone number start without it.
const require = createRequire(import.meta.url);
let parser: typeof Phone.parsePhoneNumberFromString | undefined;
const parsePhone: typeof Phone.parsePhoneNumberFromString = (...args) => {
  parser ??= (require('libphonenumber-js/max') as typeof Phone).parsePhoneNumberFromString;
  return parser(...args);
};

export type PhoneCheck = { ok: true; e164: string; country: string | undefined } | { ok: false; reason: string };

/**
 * A phone number in E.164 (`+14155552671`). Numbers without a `+` are read in the
 * contact's country (ISO alpha-2); without one, only international numbers can be
 * understood. Validity is libphonenumber's full metadata check (length and ranges per
 * country), so a number that merely looks numeric is not accepted.
 *
 * @example
 * checkPhone('(030) 1234567', 'DE') // { ok: true, e164: '+49301234567', country: 'DE' }
 */
export function checkPhone(value: unknown, countryHint?: string | undefined): PhoneCheck {
  const raw = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  const text = raw.trim().replace(/^00(?=[1-9])/, '+');
  if (text === '') return { ok: false, reason: 'empty' };
  if (!/\d/.test(text)) return { ok: false, reason: 'has no digits' };
  const hint = countryHint && /^[A-Z]{2}$/.test(countryHint) ? (countryHint as CountryCode) : undefined;
  const parsed = parsePhone(text, hint ? { defaultCountry: hint } : {});
  if (!parsed) {
    return { ok: false, reason: hint || text.startsWith('+') ? 'not a phone number' : 'no country code and no country to read it in' };
  }
  if (!parsed.isValid()) return { ok: false, reason: `not a valid number for ${parsed.country ?? `+${parsed.countryCallingCode}`}` };
  return { ok: true, e164: parsed.number, country: parsed.country };
}
