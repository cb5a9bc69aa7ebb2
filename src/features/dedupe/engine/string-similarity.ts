// The comparators run tens of millions of times in one dedupe run (1M contacts, ~10
// fields, millions of candidate pairs), so they are written here to allocate nothing per
// call: two reusable flag buffers, UTF-16 code units compared directly, no lower-casing
// (values are normalized once per record, not once per pair).

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

function ensureFlags(length: number): void {
  if (flagsA.length >= length) return;
  const size = Math.max(length, flagsA.length * 2);
  flagsA = new Uint8Array(size);
  flagsB = new Uint8Array(size);
}

/** Jaro similarity in [0, 1]; 1 for equal strings (two empty strings included). */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  ensureFlags(Math.max(la, lb));
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    const ch = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === ch) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3;
}

/** Jaro-Winkler (prefix scale 0.1, prefix up to 4), in [0, 1]. */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j === 1 || j === 0) return j;
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

const charCounts = new Int32Array(128);

/**
 * An upper bound of jaroWinkler(a, b) at a fraction of its cost: Jaro's matches pair equal
 * characters, so there are no more of them than the characters the two strings share
 * (counted with repeats), and transpositions only lower it; the common prefix is exact.
 * Lets a caller skip the comparison when even the bound is under its threshold.
 */
export function jaroWinklerBound(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return a === b ? 1 : 0;
  let ascii = true;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    if (c >= 128) ascii = false;
    else charCounts[c]!++;
  }
  let common = 0;
  for (let j = 0; j < lb; j++) {
    const c = b.charCodeAt(j);
    if (c < 128 && charCounts[c]! > 0) {
      charCounts[c]!--;
      common++;
    }
  }
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    if (c < 128) charCounts[c] = 0;
  }
  // Characters outside ASCII are not counted: no bound then.
  if (!ascii) return 1;
  if (common === 0) return 0;
  const jaroBound = (common / la + common / lb + 1) / 3;
  const limit = Math.min(4, la, lb);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaroBound + prefix * 0.1 * (1 - jaroBound);
}

/** Jaccard similarity of two token sets (already de-duplicated), in [0, 1]. */
export function tokenJaccard(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  let common = 0;
  for (const t of a) if (b.includes(t)) common++;
  return common / (a.length + b.length - common);
}

/**
 * True when the strings differ by at most one edit: a substitution, an insertion or
 * deletion, or a swap of two adjacent characters (the typo classes of keyed-in codes).
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // swap
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/** Share of the smaller token set found in the other (1 when one name contains the other), in [0, 1]. */
export function tokenContainment(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? 1 : 0;
  let common = 0;
  for (const t of a) if (b.includes(t)) common++;
  return common / Math.min(a.length, b.length);
}

/**
 * Jaccard and containment of two token sets where each token counts by its weight (its
 * rarity in the column): sharing "chicago" says little, sharing "cockrell" says much.
 * Returns [jaccard, containment], both in [0, 1].
 */
export function weightedTokenOverlap(a: readonly string[], wa: readonly number[], b: readonly string[], wb: readonly number[]): [number, number] {
  if (a.length === 0 || b.length === 0) return a.length === b.length ? [1, 1] : [0, 0];
  let common = 0;
  let totalA = 0;
  let totalB = 0;
  for (let i = 0; i < a.length; i++) {
    totalA += wa[i]!;
    if (b.includes(a[i]!)) common += wa[i]!;
  }
  for (let j = 0; j < b.length; j++) totalB += wb[j]!;
  const union = totalA + totalB - common;
  return [union > 0 ? common / union : 1, common / Math.max(Number.MIN_VALUE, Math.min(totalA, totalB))];
}

