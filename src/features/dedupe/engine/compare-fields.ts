import { levelCountOf, type FieldKind } from './field-spec.ts';
import type { PreparedColumn, PreparedRecords } from './prepare-records.ts';
import { jaroWinkler, jaroWinklerBound, weightedTokenOverlap, withinOneEdit } from './string-similarity.ts';

/** Level of a missing value: it says nothing, so it weighs nothing. */
export const MISSING = -1;

const BOUND_MARGIN = 1e-9;

/** Comparison level of two names from their Jaro-Winkler similarity (0 different ... 3 exact). */
export function nameLevel(a: string, b: string): number {
  return a === b ? 3 : nameLevelOf(jaroWinkler(a, b));
}

/** The level of two different names from their Jaro-Winkler similarity. */
const nameLevelOf = (similarity: number) => (similarity >= 0.92 ? 2 : similarity >= 0.8 ? 1 : 0);

/**
 * Free text and organisation names: rarity-weighted token overlap or character
 * similarity, whichever is higher; one name containing the other counts as similar.
 */
export function textLevel(a: string, b: string, ta: readonly string[], wa: readonly number[], tb: readonly string[], wb: readonly number[]): number {
  if (a === b) return 3;
  const [tokens, containment] = weightedTokenOverlap(ta, wa, tb, wb);
  // Level 2 whatever the characters say: Jaro-Winkler (the costly half) is not computed.
  if (tokens >= 0.8) return 2;
  // Nor when even its upper bound is under the similarity that would raise the level
  // (BOUND_MARGIN: float rounding of the bound must not decide a tie).
  const atLeastOne = tokens >= 0.5 || containment >= 0.9;
  if (jaroWinklerBound(a, b) < (atLeastOne ? 0.95 : 0.88) - BOUND_MARGIN) return atLeastOne ? 1 : 0;
  const chars = jaroWinkler(a, b);
  if (chars >= 0.95) return 2;
  return tokens >= 0.5 || chars >= 0.88 || containment >= 0.9 ? 1 : 0;
}

// Directions and street types that records of one street give or leave out: "N. Monticello Ave" is "Monticello".
const STREET_FILLER = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw', 'st', 'ave', 'rd', 'dr', 'blvd', 'pl', 'ln', 'ct', 'pkwy', 'hwy', 'sq', 'ter', 'way']);

/** Whether two street parts (after the house number) name one street: their main words agree closely. */
function sameStreet(a: string, b: string): boolean {
  const core = (s: string) => s.split(' ').filter((t) => t !== '' && !STREET_FILLER.has(t)).join(' ');
  const ca = core(a);
  const cb = core(b);
  if (ca === '' || cb === '') return false;
  return ca === cb || jaroWinkler(ca, cb) >= 0.92 || ca.startsWith(`${cb} `) || cb.startsWith(`${ca} `);
}

const digitsOf = (s: string) => s.replace(/\D+/g, '');
const withoutDigits = (s: string) => s.replace(/\d+/g, '');
const withoutSeparators = (s: string) => s.replace(/[._-]+/g, '');

/**
 * Two addresses: 5 exact; 4 the same local part (a typo; at one employer, the same but for
 * dots and dashes; across providers, identical); 3 different; 2 another address at the same employer; 1 a numbered
 * mailbox at the same employer (jsmith@ and jsmith2@: two people); 0 two employers.
 */
function emailLevel(column: PreparedColumn, i: number, j: number): number {
  const a = column.values[i]!;
  const b = column.values[j]!;
  if (a === b) return 5;
  const da = column.tokens[i]![0];
  const db = column.tokens[j]![0];
  if (da !== undefined && db !== undefined && da !== db) return 0; // two employers
  const la = column.secondary[i]!;
  const lb = column.secondary[j]!;
  if (da !== undefined && da === db) {
    const numberA = digitsOf(la);
    const numberB = digitsOf(lb);
    if (numberA !== numberB) return withoutDigits(la) === withoutDigits(lb) ? 1 : 2;
    // No typo allowance: under flast@ and firstl@ conventions, namesakes' mailboxes are one letter apart.
    return withoutSeparators(la) === withoutSeparators(lb) ? 4 : 2;
  }
  // Across providers (a personal and a work address) only an identical local part counts:
  // "michellef" and "michellef307" both come from the name, which the name fields weigh already.
  if (da !== db) return la.length >= 3 && la === lb ? 4 : 3;
  return la.length >= 3 && digitsOf(la) === digitsOf(lb) && (la === lb || jaroWinkler(la, lb) >= 0.94) ? 4 : 3;
}

const SAME_LOCAL_PART = 4;

/** Whether a local part is one of the usual spellings of a name: first.last, flast, firstl, first, last.first, last. */
function spellsName(local: string, given: string, family: string): boolean {
  if (given === '' || family === '') return false;
  return [given + family, given[0] + family, given + family[0], given, family + given, family, family + given[0]].includes(local);
}

/** Whether both records have work addresses at one domain: then the employer is already in the email's level. */
function sameWorkDomain(column: PreparedColumn, i: number, j: number): boolean {
  const d = column.tokens[i]![0];
  return d !== undefined && d === column.tokens[j]![0];
}

/** The level of one field for the records at indexes i and j, or MISSING. */
export function compareField(column: PreparedColumn, i: number, j: number): number {
  const a = column.values[i]!;
  const b = column.values[j]!;
  if (a === '' || b === '') return MISSING;
  switch (column.spec.kind) {
    case 'given_name': {
      const level = nameLevel(a, b);
      const wa = column.secondary[i]!;
      const wb = column.secondary[j]!;
      // As written, only when a nickname was folded on either side (else it is the same comparison).
      return level === 3 || (wa === a && wb === b) ? level : Math.max(level, nameLevel(wa, wb));
    }
    case 'family_name':
      return nameLevel(a, b);
    case 'address': {
      // Two house numbers on one street are two sites (neighbours, a chain's branches), however
      // alike the rest reads; the same number and street is one site whatever the spelling.
      const na = column.secondary[i]!;
      const nb = column.secondary[j]!;
      if (na !== '' && nb !== '' && na !== nb) return withinOneEdit(na, nb) && sameStreet(a.slice(na.length + 1), b.slice(nb.length + 1)) ? 1 : 0;
      const level = textLevel(a, b, column.tokens[i]!, column.tokenWeights[i]!, column.tokens[j]!, column.tokenWeights[j]!);
      return na !== '' && na === nb && level < 2 && sameStreet(a.slice(na.length + 1), b.slice(nb.length + 1)) ? 2 : level;
    }
    case 'name':
    case 'company':
      return textLevel(a, b, column.tokens[i]!, column.tokenWeights[i]!, column.tokens[j]!, column.tokenWeights[j]!);
    case 'email':
      return emailLevel(column, i, j);
    case 'phone': {
      if (a === b || (a.length >= 9 && b.length >= 9 && (a.endsWith(b) || b.endsWith(a)))) return 3;
      const la = column.secondary[i]!;
      const lb = column.secondary[j]!;
      return la === lb ? 2 : withinOneEdit(la, lb) ? 1 : 0;
    }
    case 'code':
      return a === b ? 2 : withinOneEdit(a, b) ? 1 : 0;
    case 'domain':
    case 'exact':
      return a === b ? 1 : 0;
  }
}

/** A given name's level from the similarity of its canonical forms, then as written (see compareField). */
function givenNameLevel(column: PreparedColumn, i: number, j: number, a: string, b: string, similarity: number): number {
  const level = a === b ? 3 : nameLevelOf(similarity);
  const wa = column.secondary[i]!;
  const wb = column.secondary[j]!;
  return level === 3 || (wa === a && wb === b) ? level : Math.max(level, nameLevel(wa, wb));
}

/**
 * Compares the records at i and j on every field. Given and family names are compared
 * both ways round and the better orientation kept, so "Smith, John" meets "John Smith".
 * Writes the levels into `out` (one per column).
 */
export function compareRecords(records: PreparedRecords, givenIndex: number, familyIndex: number, i: number, j: number, out: Int8Array): void {
  const columns = records.columns;
  const names = givenIndex >= 0 && familyIndex >= 0;
  // The company name and the work-address domain say one thing (the employer): counted
  // once, so the company (the costliest comparison) is not compared at all then.
  const { email, company } = records.employerColumns;
  const employerInEmail = email >= 0 && company >= 0 && sameWorkDomain(columns[email]!, i, j);
  for (let f = 0; f < columns.length; f++) {
    if (names && (f === givenIndex || f === familyIndex)) continue;
    out[f] = f === company && employerInEmail ? MISSING : compareField(columns[f]!, i, j);
  }
  // A local part shared across providers that only spells the name (jonas.jones@ at work
  // and at gmail.com) repeats the name fields' evidence: it counts as "different", once.
  if (email >= 0 && out[email] === SAME_LOCAL_PART && names && columns[email]!.tokens[i]![0] !== columns[email]!.tokens[j]![0]) {
    const local = withoutSeparators(columns[email]!.secondary[i]!);
    const spells = (k: number) => spellsName(local, columns[givenIndex]!.secondary[k]!, columns[familyIndex]!.values[k]!);
    if (spells(i) || spells(j)) out[email] = SAME_LOCAL_PART - 1; // either record's name: symmetric
  }
  if (names) compareNames(records, givenIndex, familyIndex, i, j, out);
}

/**
 * The two name fields, straight and swapped. Jaro-Winkler is most of a run's time, so each
 * similarity is computed once: the straight ones give the straight levels, the cross ones
 * the swapped levels (the same as nameLevel of those strings). jaroWinkler(a, a) is 1.
 */
function compareNames(records: PreparedRecords, givenIndex: number, familyIndex: number, i: number, j: number, out: Int8Array): void {
  const givenColumn = records.columns[givenIndex]!;
  const given = givenColumn.values;
  const family = records.columns[familyIndex]!.values;
  const gi = given[i]!, fi = family[i]!, gj = given[j]!, fj = family[j]!;
  const givenSimilarity = gi === '' || gj === '' ? 0 : gi === gj ? 1 : jaroWinkler(gi, gj);
  const familySimilarity = fi === '' || fj === '' ? 0 : fi === fj ? 1 : jaroWinkler(fi, fj);
  out[givenIndex] = gi === '' || gj === '' ? MISSING : givenNameLevel(givenColumn, i, j, gi, gj, givenSimilarity);
  out[familyIndex] = fi === '' || fj === '' ? MISSING : fi === fj ? 3 : nameLevelOf(familySimilarity);
  if (gi === '' || fi === '' || gj === '' || fj === '' || (gi === gj && fi === fj)) return;
  const asGiven = records.familyAsGiven!;
  const fj2 = asGiven[j]!;
  const fi2 = asGiven[i]!;
  // Most pairs read better straight: when even the bounds of the cross similarities cannot beat it, they are not computed.
  if (jaroWinklerBound(gi, fj2) + jaroWinklerBound(fi2, gj) <= givenSimilarity + familySimilarity - BOUND_MARGIN) return;
  const toFamily = jaroWinkler(gi, fj2);
  const toGiven = jaroWinkler(fi2, gj);
  if (toFamily + toGiven > givenSimilarity + familySimilarity) {
    const crossA = gi === fj2 ? 3 : nameLevelOf(toFamily);
    const crossB = fi2 === gj ? 3 : nameLevelOf(toGiven);
    // Both cross comparisons are between a given and a family name; which field gets which
    // level must not depend on the order of the pair: the family name takes the lower.
    out[givenIndex] = Math.max(crossA, crossB);
    out[familyIndex] = Math.min(crossA, crossB);
  }
}

/** Mixed-radix code of a comparison vector: one integer per distinct pattern (EM runs on patterns). */
export function encodePattern(levels: Int8Array, kinds: readonly FieldKind[]): number {
  let code = 0;
  for (let f = 0; f < kinds.length; f++) code = code * (levelCountOf(kinds[f]!) + 1) + (levels[f]! + 1);
  return code;
}

export function decodePattern(code: number, kinds: readonly FieldKind[]): number[] {
  const levels = new Array<number>(kinds.length);
  for (let f = kinds.length - 1; f >= 0; f--) {
    const radix = levelCountOf(kinds[f]!) + 1;
    levels[f] = (code % radix) - 1;
    code = Math.floor(code / radix);
  }
  return levels;
}
