import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODEL_NAMES, runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
import { buildPathTable, type JourneyInput } from './path-table.ts';

const CHANNELS = ['direct', 'email', 'paid', 'organic', 'social', 'events'];
const DAY = 86_400_000;

const journeyArb = fc.record({
  touches: fc.array(fc.record({ channel: fc.constantFrom(...CHANNELS), daysBefore: fc.integer({ min: 0, max: 90 }), milestone: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 8 }),
  conversions: fc.integer({ min: 0, max: 5 }),
  value: fc.integer({ min: 0, max: 10_000 }),
  nulls: fc.integer({ min: 0, max: 5 }),
});
type JourneyCase = { touches: Array<{ channel: string; daysBefore: number; milestone: number }>; conversions: number; value: number; nulls: number };

function toJourney(j: JourneyCase, rename: (c: string) => string = (c) => c): JourneyInput {
  const at = Date.UTC(2026, 0, 1);
  return {
    channels: j.touches.map((t) => rename(t.channel)),
    conversions: j.conversions,
    value: j.conversions > 0 ? j.value : 0,
    nulls: j.nulls,
    touchTimes: j.touches.map((t) => at - t.daysBefore * DAY),
    conversionTime: at,
    milestones: j.touches.map((t) => t.milestone),
  };
}

const RUNS: Array<[ModelName, ModelOptions]> = [
  ...MODEL_NAMES.filter((m) => m !== 'markov' && m !== 'custom').map((m): [ModelName, ModelOptions] => [m, {}]),
  ['custom', { milestoneWeights: { first_touch: 0.1, lead_creation: 0.2, opportunity_creation: 0.3, closed_won: 0.1, between: 0.3 } }],
  ['markov', { order: 1 }],
  ['markov', { order: 2 }],
  ['markov', { order: 3 }],
  ['shapley', { shapleyValueOf: 'conversion-rate' }],
];

const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

describe('attribution invariants (property-based)', () => {
  it('credits add up to the conversions and the value, for every model', () => {
    fc.assert(
      fc.property(fc.array(journeyArb, { minLength: 1, maxLength: 25 }), (cases) => {
        const table = buildPathTable(cases.map((c) => toJourney(c)));
        const conversions = cases.reduce((s, c) => s + c.conversions, 0);
        const value = cases.reduce((s, c) => s + (c.conversions > 0 ? c.value : 0), 0);
        for (const [model, options] of RUNS) {
          const credits = runAttributionModel(table, model, options);
          // The conversion-rate game is not monotone (adding a channel can lower the rate), so
          // its Shapley values may be negative; every other model credits >= 0.
          if (options.shapleyValueOf !== 'conversion-rate') for (const x of [...credits.conversions, ...credits.value]) expect(x).toBeGreaterThanOrEqual(-1e-9);
          expect(sum(credits.conversions), `${model} conversions`).toBeCloseTo(conversions, 8);
          if (model !== 'markov' || sum(credits.removalEffect!) > 0) expect(sum(credits.value), `${model} value`).toBeCloseTo(value, 6);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('renaming channels by a permutation moves the credits with them', () => {
    // "direct" keeps its name: last-non-direct treats it apart by definition.
    const others = CHANNELS.filter((c) => c !== 'direct');
    fc.assert(
      fc.property(fc.array(journeyArb, { minLength: 1, maxLength: 20 }), fc.shuffledSubarray(others, { minLength: others.length }), (cases, shuffled) => {
        const rename = (c: string) => (c === 'direct' ? c : shuffled[others.indexOf(c)]!);
        const original = buildPathTable(cases.map((c) => toJourney(c)));
        // Reversed row order too: the order journeys arrive in must not matter.
        const renamed = buildPathTable(cases.map((c) => toJourney(c, rename)).reverse());
        for (const [model, options] of RUNS) {
          const a = runAttributionModel(original, model, options);
          const b = runAttributionModel(renamed, model, options);
          a.channels.forEach((channel, i) => {
            const j = b.channels.indexOf(rename(channel));
            expect(b.conversions[j], `${model} ${channel}`).toBeCloseTo(a.conversions[i]!, 8);
            expect(b.value[j], `${model} ${channel} value`).toBeCloseTo(a.value[i]!, 6);
          });
        }
      }),
      { numRuns: 40 },
    );
  });

  it('exact Shapley (conversions) equals splitting each journey equally over its distinct channels', () => {
    fc.assert(
      fc.property(fc.array(journeyArb, { minLength: 1, maxLength: 25 }), (cases) => {
        const table = buildPathTable(cases.map((c) => toJourney(c)));
        const credits = runAttributionModel(table, 'shapley');
        const expected = new Map<string, number>();
        for (const c of cases) {
          const set = [...new Set(c.touches.map((t) => t.channel))];
          for (const ch of set) expected.set(ch, (expected.get(ch) ?? 0) + c.conversions / set.length);
        }
        credits.channels.forEach((ch, i) => expect(credits.conversions[i]).toBeCloseTo(expected.get(ch) ?? 0, 9));
      }),
      { numRuns: 60 },
    );
  });
});
