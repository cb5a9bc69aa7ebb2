import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePeriodLabel, periodLabel, PERIOD_UNITS, type PeriodUnit } from '../../platform/calendar-periods.ts';
import { MODEL_NAMES, runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
import { ADDITIVE_MODELS, creditsByPeriod } from './credits-by-period.ts';
import { buildPathTable, type JourneyInput } from './path-table.ts';

const CHANNELS = ['direct', 'email', 'paid', 'organic', 'social'];
const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

const journeyArb = fc.record({
  touches: fc.array(fc.record({ channel: fc.constantFrom(...CHANNELS), daysBefore: fc.integer({ min: 0, max: 40 }), milestone: fc.integer({ min: 0, max: 7 }) }), { minLength: 1, maxLength: 6 }),
  day: fc.integer({ min: 0, max: 200 }),
  conversions: fc.integer({ min: 0, max: 3 }),
  value: fc.integer({ min: 0, max: 5000 }),
  nulls: fc.integer({ min: 0, max: 2 }),
});

type JourneyCase = { touches: Array<{ channel: string; daysBefore: number; milestone: number }>; day: number; conversions: number; value: number; nulls: number };

function toJourney(j: JourneyCase): JourneyInput {
  const at = START + j.day * DAY + 3_600_000;
  const touches = [...j.touches].sort((a, b) => b.daysBefore - a.daysBefore);
  return {
    channels: touches.map((t) => t.channel),
    conversions: j.conversions,
    value: j.conversions > 0 ? j.value : 0,
    nulls: j.conversions > 0 ? 0 : Math.max(1, j.nulls),
    touchTimes: touches.map((t) => at - t.daysBefore * DAY),
    conversionTime: at,
    milestones: touches.map((t) => t.milestone),
  };
}

const OPTIONS: Partial<Record<ModelName, ModelOptions>> = {
  custom: { milestoneWeights: { first_touch: 0.2, lead_creation: 0.2, opportunity_creation: 0.2, closed_won: 0.2, between: 0.2 } },
  markov: { order: 2 },
};

const byChannel = (channels: string[], values: Float64Array) => new Map(channels.map((c, i) => [c, values[i]!]));

describe('credits by period (property-based)', () => {
  it('per channel, the periods add up to the overall credits, for every model and unit', () => {
    fc.assert(
      fc.property(fc.array(journeyArb, { minLength: 1, maxLength: 20 }), fc.constantFrom(...PERIOD_UNITS), (cases, unit: PeriodUnit) => {
        const journeys = cases.map(toJourney);
        for (const model of MODEL_NAMES) {
          const options = OPTIONS[model] ?? {};
          const overall = runAttributionModel(buildPathTable(journeys, { detailed: true }), model, options);
          const periods = creditsByPeriod(journeys, unit, model, options, overall);
          for (const measure of ['conversions', 'value'] as const) {
            const summed = new Map<string, number>();
            for (const p of periods) for (const [c, v] of byChannel(p.credits.channels, p.credits[measure])) summed.set(c, (summed.get(c) ?? 0) + v);
            overall.channels.forEach((c, i) => expect(summed.get(c) ?? 0, `${model} ${unit} ${measure} ${c}`).toBeCloseTo(overall[measure][i]!, 6));
          }
          // Rule-based models: each period also hands out exactly that period's conversions.
          if (ADDITIVE_MODELS.includes(model)) {
            for (const p of periods) {
              const own = journeys.filter((j) => periodLabel(j.conversionTime!, unit) === p.period).reduce((s, j) => s + j.conversions, 0);
              expect(p.credits.conversions.reduce((a, b) => a + b, 0), `${model} ${p.period}`).toBeCloseTo(own, 8);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('labels the periods of a conversion, and reads the labels back', () => {
    const at = Date.UTC(2026, 8, 14, 23, 59); // Monday 14 September 2026
    expect(PERIOD_UNITS.map((u) => periodLabel(at, u))).toEqual(['2026-09-14', '2026-W38', '2026-09', '2026-Q3']);
    expect(periodLabel(Date.UTC(2027, 0, 1), 'week')).toBe('2026-W53'); // Friday 1 January 2027 belongs to 2026's last ISO week
    expect(periodLabel(Date.UTC(2025, 11, 29), 'week')).toBe('2026-W01');
    const w = parsePeriodLabel('2026-W38')!;
    expect([w.start.toISOString(), w.end.toISOString()]).toEqual(['2026-09-14T00:00:00.000Z', '2026-09-21T00:00:00.000Z']);
    expect(parsePeriodLabel('2026-Q4')!.end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parsePeriodLabel('2026-02-30')).toBeNull();
    expect(parsePeriodLabel('2026-13')).toBeNull();
    expect(parsePeriodLabel('2026-W54')).toBeNull();
  });

  it('spreads Markov credit only over periods whose converting journeys touched the channel', () => {
    const j = (channels: string[], day: number, conversions: number): JourneyInput => ({
      channels, conversions, value: conversions * 100, nulls: conversions > 0 ? 0 : 1, touchTimes: channels.map((_, i) => START + (day - channels.length + i) * DAY), conversionTime: START + day * DAY, milestones: channels.map(() => 0),
    });
    // January: email > paid converts; February: email converts alone; paid also sits on a null path.
    const journeys = [j(['email', 'paid'], 10, 1), j(['email'], 40, 1), j(['paid'], 41, 0)];
    const overall = runAttributionModel(buildPathTable(journeys, { detailed: true }), 'markov', {});
    const periods = creditsByPeriod(journeys, 'month', 'markov', {}, overall);
    expect(periods.map((p) => p.period)).toEqual(['2026-01', '2026-02']);
    const feb = byChannel(periods[1]!.credits.channels, periods[1]!.credits.conversions);
    expect(feb.get('paid')).toBe(0);
    const paid = overall.channels.indexOf('paid');
    expect(byChannel(periods[0]!.credits.channels, periods[0]!.credits.conversions).get('paid')).toBeCloseTo(overall.conversions[paid]!, 12);
  });
});
