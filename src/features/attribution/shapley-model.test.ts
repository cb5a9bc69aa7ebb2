import { describe, expect, it } from 'vitest';
import { runAttributionModel } from './attribution-models.ts';
import { buildPathTable } from './path-table.ts';
import { parsePathTableCsv } from './path-table-csv.ts';
import { attributeShapley, coalitionWeights } from './shapley-model.ts';

// A alone: 2 conversions, 2 nulls; B alone: 1 conversion, 3 nulls; A and B: 3 conversions, 1 null.
const TWO = parsePathTableCsv(['path,total_conversions,total_conversion_value,total_null', 'A,2,20,2', 'B,1,10,3', 'A > B > A,3,60,1'].join('\n'));

describe('Shapley value over channel sets', () => {
  it('v(S) = conversions of journeys within S: hand-computed for two channels', () => {
    // v(A) = 2, v(B) = 1, v(AB) = 6. φA = ½(2 - 0) + ½(6 - 1) = 3.5; φB = ½(1) + ½(6 - 2) = 2.5.
    const credits = runAttributionModel(TWO, 'shapley');
    expect(Array.from(credits.conversions)).toEqual([expect.closeTo(3.5, 14), expect.closeTo(2.5, 14)]);
    // Value: v(A) = 20, v(B) = 10, v(AB) = 90: φA = 10 + 40 = 50, φB = 5 + 35 = 40.
    expect(Array.from(credits.value)).toEqual([expect.closeTo(50, 12), expect.closeTo(40, 12)]);
  });

  it('v(S) = conversion rate within S, scaled to the total conversions', () => {
    // v(A) = 2/4, v(B) = 1/4, v(AB) = 6/12. φA = ½·½ + ½(½ - ¼) = 3/8; φB = ½·¼ + 0 = 1/8.
    // Scaled to 6 conversions: A 4.5, B 1.5.
    const credits = runAttributionModel(TWO, 'shapley', { shapleyValueOf: 'conversion-rate' });
    expect(Array.from(credits.conversions)).toEqual([expect.closeTo(4.5, 13), expect.closeTo(1.5, 13)]);
  });

  it('gives each channel of the classic example a third (one converting set of three)', () => {
    const credits = runAttributionModel(parsePathTableCsv('path,total_conversions,total_null\nC1 > C2 > C3,1,0\nC1,0,1\nC2 > C3,0,1'), 'shapley');
    expect(Array.from(credits.conversions)).toEqual([1, 1, 1].map(() => expect.closeTo(1 / 3, 15)));
  });

  it('beyond 30 channels (bit masks): the conversions game by its closed form, per journey', () => {
    const channels = Array.from({ length: 40 }, (_, i) => `c${i}`);
    const table = buildPathTable([{ channels: ['c0', 'c1', 'c0', 'c39'], conversions: 3, value: 30, nulls: 0 }, { channels, conversions: 0, value: 0, nulls: 1 }]);
    const credits = attributeShapley(table);
    const of = (name: string) => credits.channels.indexOf(name);
    expect(credits.conversions[of('c0')]).toBeCloseTo(1, 14);
    expect(credits.conversions[of('c39')]).toBeCloseTo(1, 14);
    expect(credits.value[of('c1')]).toBeCloseTo(10, 13);
    expect(credits.conversions[of('c5')]).toBe(0);
    expect(() => attributeShapley(table, { worth: 'conversion-rate' })).toThrow(/supports up to 30 channels, the table has 40/);
  });

  it('uses the weights |S|!(n-|S|-1)!/n!', () => {
    expect(Array.from(coalitionWeights(3))).toEqual([1 / 3, 1 / 6, 1 / 3].map((w) => expect.closeTo(w, 15)));
    expect(Array.from(coalitionWeights(4))).toEqual([1 / 4, 1 / 12, 1 / 12, 1 / 4].map((w) => expect.closeTo(w, 15)));
  });

  it('beyond the exact limit: conversions exactly by the closed form, conversion rate sampled with its error bound', () => {
    const channels = ['a', 'b', 'c', 'd', 'e'];
    const journeys = [];
    for (let m = 1; m < 32; m++) journeys.push({ channels: channels.filter((_, i) => m & (1 << i)), conversions: m % 3, value: m, nulls: (m * 7) % 5 });
    const table = buildPathTable(journeys);
    const exact = attributeShapley(table, {});
    const closedForm = attributeShapley(table, { exactLimit: 2 });
    expect(closedForm.notes.method).toMatch(/closed form/);
    for (let i = 0; i < 5; i++) expect(closedForm.conversions[i]).toBeCloseTo(exact.conversions[i]!, 12);
    const exactRate = attributeShapley(table, { worth: 'conversion-rate' });
    const sampled = attributeShapley(table, { worth: 'conversion-rate', exactLimit: 2, samples: 4000, seed: 9 });
    const bound = Number(sampled.notes.error_bound_95);
    expect(bound).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) expect(Math.abs(sampled.conversions[i]! - exactRate.conversions[i]!)).toBeLessThan(3 * bound);
  });
});
