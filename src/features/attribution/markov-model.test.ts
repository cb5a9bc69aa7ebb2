import { describe, expect, it } from 'vitest';
import { runAttributionModel } from './attribution-models.ts';
import { buildAbsorbingChain } from './markov-chain.ts';
import { solveAbsorption } from './markov-solver.ts';
import { buildPathTable } from './path-table.ts';
import { parsePathTableCsv } from './path-table-csv.ts';
import { creditsByChannel } from './credits-fixtures.ts';

// The classic three-journey example (Anderl et al.; ChannelAttribution and most tutorials):
//   C1 > C2 > C3 -> conversion, C1 -> null, C2 > C3 -> null.
// start->C1 2/3, start->C2 1/3; C1->C2 1/2, C1->null 1/2; C2->C3 1; C3->conv 1/2, C3->null 1/2.
// P(conv) = 2/3·1/2·1·1/2 + 1/3·1·1/2 = 1/3.
// Without C1: only start->C2 survives: 1/3·1/2 = 1/6, removal effect 1 - (1/6)/(1/3) = 1/2.
// Without C2 or C3 no walk converts: removal effect 1. Sum 2.5, credits 0.2, 0.4, 0.4.
export const CLASSIC_CSV = ['path,total_conversions,total_conversion_value,total_null', 'C1 > C2 > C3,1,100,0', 'C1,0,0,1', 'C2 > C3,0,0,1'].join('\n');

describe('Markov chain attribution, exact', () => {
  it('reproduces the classic three-path example', () => {
    const credits = runAttributionModel(parsePathTableCsv(CLASSIC_CSV), 'markov');
    const byChannel = creditsByChannel(credits);
    expect(byChannel.C1![0]).toBeCloseTo(0.2, 14);
    expect(byChannel.C2![0]).toBeCloseTo(0.4, 14);
    expect(byChannel.C3![0]).toBeCloseTo(0.4, 14);
    expect(Array.from(credits.removalEffect!)).toEqual([0.5, 1, 1].map((v) => expect.closeTo(v, 14)));
    // One last state (C3) with value 100 per conversion: value follows the same split.
    expect(byChannel.C1![1]).toBeCloseTo(20, 12);
    expect(credits.notes.p_conversion).toBeCloseTo(1 / 3, 15);
  });

  it('solves a loop (A > B > A) exactly', () => {
    // start->A 1/2, start->B 1/2; A->B 1/2, A->conv 1/2; B->A 1/2, B->null 1/2.
    // h(A) = 1/2 + h(B)/2, h(B) = h(A)/2 => h(A) = 2/3, h(B) = 1/3, P = 1/2.
    // Without A: 0 (effect 1). Without B: h(A) = 1/2, P = 1/4 (effect 1/2). Credits 2/3, 1/3.
    const credits = runAttributionModel(parsePathTableCsv('path,total_conversions,total_null\nA > B > A,1,0\nB,0,1'), 'markov');
    expect(Array.from(credits.removalEffect!)).toEqual([expect.closeTo(1, 14), expect.closeTo(0.5, 14)]);
    expect(Array.from(credits.conversions)).toEqual([expect.closeTo(2 / 3, 14), expect.closeTo(1 / 3, 14)]);
    expect(credits.notes.p_conversion).toBeCloseTo(0.5, 15);
  });

  it('collapses consecutive repeats: A > A > B is A > B', () => {
    const repeated = runAttributionModel(parsePathTableCsv('path,total_conversions,total_null\nA > A > B,1,0\nB,0,1'), 'markov');
    const plain = runAttributionModel(parsePathTableCsv('path,total_conversions,total_null\nA > B,1,0\nB,0,1'), 'markov');
    expect(Array.from(repeated.conversions)).toEqual(Array.from(plain.conversions));
  });

  it('order 2: windows of two touches, a shorter path is one state', () => {
    // States (A) [short path], (A,B), (B). start: 1/4, 1/4, 1/2; (A)->conv, (A,B)->conv, (B)->null.
    // P = 1/2. Without A: (A) and (A,B) go, P = 0 (effect 1). Without B: P = 1/4 (effect 1/2).
    const credits = runAttributionModel(parsePathTableCsv('path,total_conversions,total_null\nA,1,0\nA > B,1,0\nB,0,2'), 'markov', { order: 2 });
    expect(credits.notes.states).toBe(3);
    expect(Array.from(credits.removalEffect!)).toEqual([expect.closeTo(1, 14), expect.closeTo(0.5, 14)]);
    expect(Array.from(credits.conversions)).toEqual([expect.closeTo(4 / 3, 14), expect.closeTo(2 / 3, 14)]);
  });

  it('gives nothing to anyone when no path converts', () => {
    const credits = runAttributionModel(parsePathTableCsv('path,total_conversions,total_null\nA > B,0,3\nB,0,1'), 'markov');
    expect(Array.from(credits.conversions)).toEqual([0, 0]);
  });

  it('credits value from the value per conversion at the last state', () => {
    // start->A 1/2, start->B 1/2; A->conv (value 10 each), B->conv 1/2 (value 90), B->null 1/2.
    // V = 1/2·10 + 1/4·90 = 27.5; without A: 22.5 (effect 2/11); without B: 5 (effect 9/11).
    const credits = runAttributionModel(parsePathTableCsv('path,total_conversions,total_conversion_value,total_null\nA,2,20,0\nB,1,90,1'), 'markov');
    expect(Array.from(credits.value)).toEqual([expect.closeTo(110 * (2 / 11), 12), expect.closeTo(110 * (9 / 11), 12)]);
  });

  it('Gauss-Seidel and Gaussian elimination agree to 1e-13 on an order-3 chain with loops', () => {
    const channels = ['a', 'b', 'c', 'd', 'e', 'f'];
    let seed = 3;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const journeys = Array.from({ length: 400 }, () => {
      const length = 1 + Math.floor(next() * 7);
      return { channels: Array.from({ length }, () => channels[Math.floor(next() * channels.length)]!), conversions: next() < 0.3 ? 1 : 0, value: 5, nulls: next() < 0.8 ? 1 : 0 };
    });
    const chain = buildAbsorbingChain(buildPathTable(journeys), 3);
    expect(chain.stateCount).toBeGreaterThan(100);
    for (const removedChannel of [-1, 0, 3]) {
      const removed = new Uint8Array(chain.stateCount + 1);
      for (let s = 1; s <= chain.stateCount; s++) {
        for (let k = chain.stateChannelOffsets[s]!; k < chain.stateChannelOffsets[s + 1]!; k++) if (chain.stateChannels[k] === removedChannel) removed[s] = 1;
      }
      const dense = solveAbsorption(chain, removed, 'dense');
      const iterative = solveAbsorption(chain, removed, 'gauss-seidel');
      expect(Math.abs(dense.conversion - iterative.conversion)).toBeLessThan(1e-13);
      expect(Math.abs(dense.value - iterative.value)).toBeLessThan(1e-12);
      expect(iterative.residual).toBeLessThan(1e-14);
    }
  });

  it('the simulation option approaches the exact removal effects', () => {
    const credits = runAttributionModel(parsePathTableCsv(CLASSIC_CSV), 'markov', { simulations: 200_000, seed: 5 });
    expect(credits.notes.solver).toMatch(/simulation/);
    expect(Array.from(credits.removalEffect!)).toEqual([expect.closeTo(0.5, 1), expect.closeTo(1, 5), expect.closeTo(1, 5)]);
  });

  it('refuses an order outside 1..4', () => {
    expect(() => runAttributionModel(parsePathTableCsv(CLASSIC_CSV), 'markov', { order: 5 })).toThrow(/order must be an integer from 1 to 4, got 5/);
  });
});
