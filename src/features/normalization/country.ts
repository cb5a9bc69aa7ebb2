import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
// English first (the common case), then the languages Keel's users write country names
// in most often. Each locale ships official, short and alternative names (USA, UK, ...).
const LOCALES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'sv'] as const;
for (const locale of LOCALES) countries.registerLocale(require(`i18n-iso-countries/langs/${locale}.json`) as countries.LocaleData);

/** Lower-case, accents and punctuation dropped: "Côte d'Ivoire" and "cote divoire" meet. */
const nameKey = (name: string) => name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '');

// Every name of every country in every locale, indexed once (the package's own lookup
// scans all names per call: ~300 µs for a name, measured, too slow for ingest).
const BY_NAME = new Map<string, string>();
for (const locale of LOCALES) {
  for (const [code, names] of Object.entries(countries.getNames(locale, { select: 'all' }) as Record<string, string[]>)) {
    for (const name of names) {
      const key = nameKey(name);
      if (!BY_NAME.has(key)) BY_NAME.set(key, code);
      // "Korea, Republic of" is also written "Republic of Korea"; "The Netherlands" as "Netherlands".
      const comma = /^(.*),\s*(.*)$/.exec(name);
      if (comma && !BY_NAME.has(nameKey(`${comma[2]} ${comma[1]}`))) BY_NAME.set(nameKey(`${comma[2]} ${comma[1]}`), code);
    }
  }
}

// Names people write that are not in the package's lists: constituent countries and
// colloquial names that only ever mean one ISO country.
const COLLOQUIAL: Record<string, string> = {
  england: 'GB', scotland: 'GB', wales: 'GB', 'northern ireland': 'GB', britain: 'GB', 'u.k.': 'GB', 'u.s.': 'US', 'u.s.a.': 'US',
  holland: 'NL', america: 'US',
};

export type CountryCheck = { ok: true; code: string } | { ok: false; reason: string };

/**
 * ISO 3166-1 alpha-2 from a code (alpha-2, alpha-3, numeric) or a name in one of several
 * languages (`Deutschland`, `États-Unis`, `United States of America`).
 *
 * @example
 * checkCountry('usa') // { ok: true, code: 'US' }
 */
export function checkCountry(value: unknown): CountryCheck {
  const raw = typeof value === 'number' && Number.isInteger(value) ? String(value).padStart(3, '0') : value;
  if (typeof raw !== 'string') return { ok: false, reason: 'not a string' };
  const text = raw.trim().replace(/\s+/g, ' ').replace(/[’`´]/g, "'");
  if (text === '') return { ok: false, reason: 'empty' };
  if (/^[A-Za-z]{2}$/.test(text)) {
    const code = text.toUpperCase() === 'UK' ? 'GB' : text.toUpperCase();
    return countries.isValid(code) ? { ok: true, code } : { ok: false, reason: 'not an ISO 3166-1 code' };
  }
  if (/^[A-Za-z]{3}$/.test(text)) {
    const code = countries.alpha3ToAlpha2(text.toUpperCase());
    if (code) return { ok: true, code };
  }
  if (/^\d{1,3}$/.test(text)) {
    const code = countries.numericToAlpha2(text.padStart(3, '0'));
    return code ? { ok: true, code } : { ok: false, reason: 'not an ISO 3166-1 numeric code' };
  }
  const colloquial = COLLOQUIAL[text.toLowerCase()];
  if (colloquial) return { ok: true, code: colloquial };
  const key = nameKey(text);
  const code = BY_NAME.get(key) ?? BY_NAME.get(key.replace(/^the/, ''));
  if (code) return { ok: true, code };
  return { ok: false, reason: 'not a country code or name Keel knows' };
}

/** The English short name of an alpha-2 code (`DE` -> `Germany`). */
export function nameOfCountry(code: string): string | undefined {
  return countries.getName(code, 'en', { select: 'alias' }) ?? countries.getName(code, 'en');
}
