import { describe, expect, it } from 'vitest';
import { compareField } from './compare-fields.ts';
import type { FellegiSunterModel } from './fellegi-sunter.ts';
import { explainPattern, matchRecords, selectScoredPairs } from './match-records.ts';
import { houseNumberOf, normalizeAddress } from './normalize-values.ts';
import { prepareRecords } from './prepare-records.ts';
import { createTermFrequencyAdjuster } from './term-frequency.ts';

const ADDRESS = [{ name: 'address', kind: 'address' as const }];

function addressLevel(a: string, b: string): number {
  const records = prepareRecords([{ id: 'a', values: { address: a } }, { id: 'b', values: { address: b } }], ADDRESS);
  return compareField(records.columns[0]!, 0, 1);
}

describe('address normalisation and comparison', () => {
  it('drops unit designators and floors, keeps the house number', () => {
    expect(normalizeAddress('7411 South Cottage Grove Ave. Ground Floor')).toBe('7411 s cottage grove ave');
    expect(normalizeAddress('744 North Monticello Ave. 1st Floor')).toBe('744 n monticello ave');
    expect(normalizeAddress('30 East 61st Street, Suite 200')).toBe('30 e 61st st');
    expect(normalizeAddress('100 Main St #4B')).toBe('100 main st');
    expect(normalizeAddress('12 Room Road')).toBe('12 rm rd');
    expect(houseNumberOf('4217 w 18th st')).toBe('4217');
    expect(houseNumberOf('kings rest caravan pk')).toBe('');
  });

  it('tells two house numbers on one street apart, and reads one number and street as one site', () => {
    expect(addressLevel('4340 S. Lamon', '4812 S. Lamon')).toBe(0);
    expect(addressLevel('4217 W. 18th St.', '4216 W. 19th St.')).toBe(0);
    expect(addressLevel('1633 W 43rd Street', '1653 W. 43rd St')).toBe(1); // one typo in the number
    expect(addressLevel('744 N Monticello Ave', '744 N. Monticelo')).toBeGreaterThanOrEqual(2);
    expect(addressLevel('25 W. 47th St.', '25 W 47TH STREET')).toBe(3);
  });
});

describe('term-frequency adjustment', () => {
  it('weighs agreement on a rare address above agreement on a common one', () => {
    const values = ['1 Main St', '1 Main St', ...Array.from({ length: 20 }, () => '9 Hub Plaza'), ...Array.from({ length: 78 }, (_, i) => `${i + 100} Elm St`)];
    const records = prepareRecords(values.map((address, i) => ({ id: String(i), values: { address } })), ADDRESS);
    const model: FellegiSunterModel = { fields: ['address'], kinds: ['address'], m: [[0.01, 0.02, 0.3, 0.67]], u: [[0.9, 0.05, 0.03, 0.02]], lambda: 0.1, iterations: 1, converged: true };
    const tf = createTermFrequencyAdjuster(records, model);
    const rare = tf.adjustmentOf([3], 0, 1);
    const common = tf.adjustmentOf([3], 2, 3);
    expect(rare).toBeGreaterThan(0);
    expect(common).toBeLessThan(rare);
    expect(tf.adjustmentOf([0], 0, 2)).toBe(0);
  });
});

describe('evidence with the term-frequency adjustment', () => {
  it('adds up, field by field, to the weight the pair was scored with', () => {
    const sites = Array.from({ length: 300 }, (_, i) => ({ name: `Site ${i} Learning Center`, address: `${100 + i} W. ${['Division', 'Madison', 'Lake', 'Grand'][i % 4]} St.`, zip: `606${String(i % 50).padStart(2, '0')}` }));
    const input = sites.flatMap((s, i) => {
      const base = { id: `${i}a`, values: s };
      return i % 3 === 0 ? [base, { id: `${i}b`, values: { ...s, name: s.name.toUpperCase(), address: s.address.replace('St.', 'Street, Suite 2') } }] : [base];
    });
    const run = matchRecords(input, [{ name: 'name', kind: 'name' }, { name: 'address', kind: 'address' }, { name: 'zip', kind: 'code' }]);
    const pairs = selectScoredPairs(run, 0.5);
    expect(pairs.length).toBeGreaterThan(50);
    for (const p of pairs.slice(0, 20)) {
      const evidence = explainPattern(run, p.pattern, p.a, p.b);
      expect(evidence.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(p.weight, 2);
      expect(run.records.ids[p.a]!.replace(/[ab]$/, '')).toBe(run.records.ids[p.b]!.replace(/[ab]$/, ''));
    }
  });
});
