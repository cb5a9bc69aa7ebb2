import { classifyEmailDomain } from '../../normalization/index.ts';

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NOT_ALNUM = /[^a-z0-9]+/g;

/** Lower case, accents folded, punctuation to single spaces: "  Zoë-Ann O'Neil " -> "zoe ann o neil". */
export function normalizeText(value: string | null | undefined): string {
  if (!value) return '';
  return value.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase().replace(NOT_ALNUM, ' ').trim();
}

const NAME_TITLES = new Set(['mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'sir', 'jr', 'sr', 'ii', 'iii', 'phd', 'md']);

/** A person's name part without titles and punctuation, spaces removed: "Dr. Mary-Ann" -> "maryann". */
export function normalizePersonName(value: string | null | undefined): string {
  return normalizeText(value).split(' ').filter((t) => !NAME_TITLES.has(t)).join('');
}

// Legal forms and filler words that differ between records of one organisation.
const COMPANY_STOP_WORDS = new Set([
  'inc', 'incorporated', 'llc', 'llp', 'lp', 'ltd', 'limited', 'gmbh', 'ag', 'kg', 'co', 'company', 'corp', 'corporation',
  'plc', 'sa', 'sas', 'sarl', 'srl', 'spa', 'bv', 'nv', 'oy', 'ab', 'as', 'aps', 'pty', 'pte', 'kk', 'the', 'and', 'of', 'group', 'holdings',
]);

/** Company name tokens without legal forms: "The ACME Corp., Inc." -> ["acme"]. */
export function companyTokens(value: string | null | undefined): string[] {
  const tokens = normalizeText(value?.replace(/&/g, ' and ')).split(' ').filter((t) => t !== '' && !COMPANY_STOP_WORDS.has(t));
  return [...new Set(tokens)];
}

/** Distinct word tokens of a free-text value. */
export function textTokens(value: string): string[] {
  return value === '' ? [] : [...new Set(value.split(' '))];
}

export interface EmailParts {
  /** The address lower-cased, `+tag` removed (and dots in Gmail local parts). */
  address: string;
  local: string;
  domain: string;
}

export function splitEmail(value: string | null | undefined): EmailParts | null {
  const email = value?.trim().toLowerCase() ?? '';
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  const domain = email.slice(at + 1);
  let local = email.slice(0, at).replace(/\+.*$/, '');
  if (domain === 'gmail.com' || domain === 'googlemail.com') local = local.replace(/\./g, '');
  return { address: `${local}@${domain}`, local, domain };
}

/**
 * Whether an address at this domain says nothing about the employer: a free-mail or
 * disposable provider, by normalization's lists (the ones enrichment and data health use),
 * plus the workspace's own free-mail domains.
 */
export function isFreeMailDomain(domain: string, extraFreeMailDomains?: readonly string[]): boolean {
  return classifyEmailDomain(domain, { extraFreeMailDomains }) !== 'business';
}

/** The host of a website or email domain without scheme, `www.` and path: "https://www.Acme.com/x" -> "acme.com". */
export function normalizeDomain(value: string | null | undefined): string {
  const v = value?.trim().toLowerCase() ?? '';
  if (v === '') return '';
  const host = v.replace(/^[a-z]+:\/\//, '').replace(/^[^@/]*@/, '').split(/[/?#:]/)[0] ?? '';
  return host.replace(/^www\d?\./, '').replace(/\.$/, '');
}

/** Digits of a phone number without a leading international prefix: "+1 (415) 555-0101" -> "14155550101". */
export function phoneDigits(value: string | null | undefined): string {
  return (value ?? '').replace(/\D+/g, '').replace(/^00/, '');
}

// USPS-style abbreviations, so "30 East 61st Street" and "30 E. 61St" share their tokens.
const ADDRESS_ABBREVIATIONS: Record<string, string> = {
  street: 'st', avenue: 'ave', av: 'ave', road: 'rd', drive: 'dr', boulevard: 'blvd', place: 'pl', lane: 'ln', court: 'ct',
  parkway: 'pkwy', highway: 'hwy', square: 'sq', terrace: 'ter', suite: 'ste', floor: 'fl', apartment: 'apt', room: 'rm',
  north: 'n', south: 's', east: 'e', west: 'w', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw',
};

// Secondary unit designators: "Ste 200", "Apt 4B", "1st Floor", "Ground Floor" name a part of
// a building, which records of one site give or leave out at will.
const UNIT_DESIGNATORS = new Set(['ste', 'apt', 'unit', 'rm', 'room', 'bldg', 'building', 'dept', 'no']);
const FLOOR_WORDS = new Set(['fl', 'flr']);
const FLOOR_QUALIFIERS = /^(\d+(st|nd|rd|th)?|ground|first|second|third|main|upper|lower|top|basement)$/;

/** Address tokens without unit designators: ["7411", "s", "cottage", "grove", "ave", "ground", "fl"] -> ["7411", "s", "cottage", "grove", "ave"]. */
function withoutUnits(tokens: string[]): string[] {
  const out: string[] = [];
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    if (FLOOR_WORDS.has(token)) {
      if (out.length > 1 && FLOOR_QUALIFIERS.test(out[out.length - 1]!)) out.pop();
      else if (t + 1 < tokens.length && /^\d+[a-z]?$/.test(tokens[t + 1]!)) t++;
      continue;
    }
    if (UNIT_DESIGNATORS.has(token) && out.length > 0 && t + 1 < tokens.length && /\d/.test(tokens[t + 1]!)) {
      t++;
      continue;
    }
    out.push(token);
  }
  return out;
}

/**
 * An address normalized with common abbreviations and without unit designators:
 * "30 East 61st Street, Suite 200" -> "30 e 61st st".
 */
export function normalizeAddress(value: string | null | undefined): string {
  const text = normalizeText(value?.replace(/#\s*\w+/g, ' '));
  return text === '' ? '' : withoutUnits(text.split(' ').map((t) => ADDRESS_ABBREVIATIONS[t] ?? t)).join(' ');
}

/** The house number an address starts with ("4217 w 18th st" -> "4217"), '' when it has none. */
export function houseNumberOf(normalizedAddress: string): string {
  const space = normalizedAddress.indexOf(' ');
  const first = space < 0 ? '' : normalizedAddress.slice(0, space);
  return /^\d+[a-z]?$/.test(first) ? first : '';
}
