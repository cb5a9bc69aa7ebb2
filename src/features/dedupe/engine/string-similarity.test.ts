import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaro, jaroWinkler, jaroWinklerBound, tokenJaccard, weightedTokenOverlap, withinOneEdit } from './string-similarity.ts';

const word = fc.string({ maxLength: 24 });
const tokens = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 6 });

describe('string comparators', () => {
  it('agree with published Jaro-Winkler values', () => {
    // Winkler's examples (as in the Febrl and recordlinkage test suites).
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.9611, 4);
    expect(jaroWinkler('dwayne', 'duane')).toBeCloseTo(0.84, 4);
    expect(jaroWinkler('dixon', 'dicksonx')).toBeCloseTo(0.8133, 4);
    expect(jaro('martha', 'marhta')).toBeCloseTo(0.9444, 4);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
  });

  it('Jaro-Winkler is symmetric, within [0, 1], and 1 exactly for equal strings', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        const ab = jaroWinkler(a, b);
        expect(ab).toBeCloseTo(jaroWinkler(b, a), 12);
        expect(ab).toBeGreaterThanOrEqual(0);
        expect(ab).toBeLessThanOrEqual(1);
        expect(jaroWinkler(a, a)).toBe(1);
        if (a !== b) expect(ab).toBeLessThan(1);
      }),
      { numRuns: 2000 },
    );
  });

  it('the Jaro-Winkler bound is never under Jaro-Winkler (comparisons skipped on it change no level)', () => {
    // Few letters, so that random strings share characters and the bound is tight.
    const letters = fc.string({ unit: fc.constantFrom('a', 'b', 'e', 'n', 'r', 's', ' ', '1', 'é'), maxLength: 16 });
    fc.assert(
      fc.property(fc.oneof(word, letters), fc.oneof(word, letters), (a, b) => {
        expect(jaroWinklerBound(a, b)).toBeGreaterThanOrEqual(jaroWinkler(a, b) - 1e-12);
      }),
      { numRuns: 5000 },
    );
    expect(jaroWinklerBound('greenworks analytics 988', 'cedarpath software 1305')).toBeLessThan(0.88);
  });

  it('token overlaps are symmetric and within [0, 1]', () => {
    fc.assert(
      fc.property(tokens, tokens, (a, b) => {
        const j = tokenJaccard(a, b);
        expect(j).toBe(tokenJaccard(b, a));
        expect(j).toBeGreaterThanOrEqual(0);
        expect(j).toBeLessThanOrEqual(1);
        const wa = a.map((t) => t.length);
        const wb = b.map((t) => t.length);
        const [wj, wc] = weightedTokenOverlap(a, wa, b, wb);
        const [wj2, wc2] = weightedTokenOverlap(b, wb, a, wa);
        expect(wj).toBeCloseTo(wj2, 12);
        expect(wc).toBeCloseTo(wc2, 12);
        for (const x of [wj, wc]) expect(x >= 0 && x <= 1 + 1e-12).toBe(true);
      }),
    );
  });

  it('withinOneEdit is symmetric and finds each single substitution, insertion, deletion and swap', () => {
    fc.assert(
      fc.property(word, word, (a, b) => {
        expect(withinOneEdit(a, b)).toBe(withinOneEdit(b, a));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ minLength: 2, maxLength: 12 }), fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (s, at, ch) => {
        const i = at % s.length;
        expect(withinOneEdit(s, s.slice(0, i) + ch + s.slice(i + 1))).toBe(true);
        expect(withinOneEdit(s, s.slice(0, i) + ch + s.slice(i))).toBe(true);
        expect(withinOneEdit(s, s.slice(0, i) + s.slice(i + 1))).toBe(true);
        if (i + 1 < s.length) expect(withinOneEdit(s, s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2))).toBe(true);
      }),
    );
    expect(withinOneEdit('19560409', '19650409')).toBe(true); // adjacent digits swapped
    expect(withinOneEdit('19560409', '19650904')).toBe(false);
    expect(withinOneEdit('abc', 'abcde')).toBe(false);
  });
});
