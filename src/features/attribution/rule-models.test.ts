import { describe, expect, it } from 'vitest';
import { runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
import type { ChannelCredits } from './credits.ts';
import { creditsByChannel } from './credits-fixtures.ts';
import { buildPathTable, CLOSED_WON, LEAD_CREATION, OPPORTUNITY_CREATION, type JourneyInput } from './path-table.ts';
import { parsePathTableCsv } from './path-table-csv.ts';

function expectCredits(actual: ChannelCredits, expected: Record<string, [number, number]>): void {
  const got = creditsByChannel(actual);
  expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
  for (const [channel, [conv, value]] of Object.entries(expected)) {
    expect(got[channel]![0], `${channel} conversions`).toBeCloseTo(conv, 12);
    expect(got[channel]![1], `${channel} value`).toBeCloseTo(value, 10);
  }
}

// P1 A > B > C (2 conv, 100), P2 B (1 conv, 10), P3 C > A > C > D (repeated C, 1 conv, 40),
// P4 A > D (no conversions: contributes nothing to rule-based models).
const TABLE = parsePathTableCsv(['path,total_conversions,total_conversion_value,total_null', 'A > B > C,2,100,1', 'B,1,10,0', 'C > A > C > D,1,40,2', 'A > D,0,0,3'].join('\n'));
const run = (model: ModelName, options: ModelOptions = {}) => runAttributionModel(TABLE, model, options);

describe('rule-based models on a path table (hand-computed)', () => {
  it('first touch: A gets P1, B P2, C P3', () => {
    expectCredits(run('first-touch'), { A: [2, 100], B: [1, 10], C: [1, 40], D: [0, 0] });
  });

  it('last touch: C gets P1, B P2, D P3', () => {
    expectCredits(run('last-touch'), { A: [0, 0], B: [1, 10], C: [2, 100], D: [1, 40] });
  });

  it('linear per occurrence: C touched twice in P3 gets 2/4 of it', () => {
    // P1: 2/3 conv and 100/3 each; P2: B all; P3: C 1/2 (20), A 1/4 (10), D 1/4 (10).
    expectCredits(run('linear'), { A: [2 / 3 + 0.25, 100 / 3 + 10], B: [2 / 3 + 1, 100 / 3 + 10], C: [2 / 3 + 0.5, 100 / 3 + 20], D: [0.25, 10] });
  });

  it('position-based 40/20/40, single touch 100%', () => {
    // P1 (x2): A .8, B .4, C .8; P2: B 1; P3: C .4 + .1, A .1, D .4.
    expectCredits(run('position-based'), { A: [0.9, 44], B: [1.4, 30], C: [1.3, 60], D: [0.4, 16] });
  });

  it('position-based splits a two-touch path 50/50', () => {
    const table = buildPathTable([{ channels: ['X', 'Y'], conversions: 1, value: 8, nulls: 0 }]);
    expectCredits(runAttributionModel(table, 'position-based'), { X: [0.5, 4], Y: [0.5, 4] });
  });

  it('last non-direct skips direct (any case) unless the path has nothing else', () => {
    const table = parsePathTableCsv(['path,total_conversions', 'email > direct,1', 'direct > Direct,1', 'Direct > paid,1', 'paid > DIRECT > direct,1'].join('\n'));
    const credits = creditsByChannel(runAttributionModel(table, 'last-non-direct'));
    expect(credits.email![0]).toBe(1);
    expect(credits.paid![0]).toBe(2);
    expect(credits.Direct![0]).toBe(1);
    expect(credits.direct![0] + credits.DIRECT![0]).toBe(0);
  });

  it('refuses time and milestone models on a path table, naming the missing input', () => {
    expect(() => run('time-decay')).toThrow(/time-decay needs touch times/);
    for (const model of ['u-shaped', 'w-shaped', 'full-path'] as const) expect(() => run(model)).toThrow(new RegExp(`${model} needs lead/opportunity/closed-won milestone flags`));
    expect(() => run('linear', { lookbackDays: 30 })).toThrow(/lookback window \(30 days\) on model linear needs touch times/);
    expect(() => run('linear', { order: 2 })).toThrow(/order applies to markov only/);
  });
});

const DAY = 86_400_000;
const AT = Date.UTC(2026, 5, 30);

/** One converting journey with touches `daysBefore` the conversion and milestone flags. */
function journey(channels: string[], daysBefore: number[], milestones: number[], value = 70): JourneyInput {
  return { channels, conversions: 1, value, nulls: 0, touchTimes: daysBefore.map((d) => AT - d * DAY), conversionTime: AT, milestones };
}

describe('time-decay and lookback (hand-computed)', () => {
  const table = buildPathTable([journey(['A', 'B', 'C'], [14, 7, 0], [0, 0, 0])]);

  it('weights 2^(-age/7 days): 1/4, 1/2, 1 normalised to 1/7, 2/7, 4/7', () => {
    expectCredits(runAttributionModel(table, 'time-decay'), { A: [1 / 7, 10], B: [2 / 7, 20], C: [4 / 7, 40] });
  });

  it('a 14-day half-life halves the decay: 1/2, 1/sqrt2, 1', () => {
    const w = [0.5, Math.SQRT1_2, 1];
    const s = w[0]! + w[1]! + w[2]!;
    expectCredits(runAttributionModel(table, 'time-decay', { halfLifeDays: 14 }), { A: [w[0]! / s, (70 * w[0]!) / s], B: [w[1]! / s, (70 * w[1]!) / s], C: [w[2]! / s, (70 * w[2]!) / s] });
  });

  it('a 10-day lookback drops the 14-day-old touch on every model', () => {
    expectCredits(runAttributionModel(table, 'time-decay', { lookbackDays: 10 }), { A: [0, 0], B: [1 / 3, 70 / 3], C: [2 / 3, 140 / 3] });
    expectCredits(runAttributionModel(table, 'first-touch', { lookbackDays: 10 }), { A: [0, 0], B: [1, 70], C: [0, 0] });
  });

  it('counts as unattributed a conversion whose touches are all outside the lookback', () => {
    const credits = runAttributionModel(table, 'linear', { lookbackDays: 0.5 });
    expect(credits.unattributed.conversions).toBe(0);
    const old = runAttributionModel(buildPathTable([journey(['A'], [40], [0])]), 'linear', { lookbackDays: 30 });
    expect(old.unattributed).toEqual({ conversions: 1, value: 70 });
    expect(old.conversions[0]).toBe(0);
  });
});

describe('milestone models (hand-computed)', () => {
  const LC = LEAD_CREATION;
  const OC = OPPORTUNITY_CREATION;
  const CW = CLOSED_WON;
  const days = [60, 50, 40, 30, 20, 10, 5];

  it('u-shaped: 50% first touch, 50% lead creation, nothing between', () => {
    const t = buildPathTable([journey(['A', 'B', 'C', 'D'], days.slice(0, 4), [0, 0, LC, 0], 100)]);
    expectCredits(runAttributionModel(t, 'u-shaped'), { A: [0.5, 50], B: [0, 0], C: [0.5, 50], D: [0, 0] });
  });

  it('u-shaped: a first touch that is also lead creation gets 100%; no lead yet: first touch 100%', () => {
    const t = buildPathTable([journey(['A', 'B'], [2, 1], [LC, 0], 10), journey(['C', 'D'], [2, 1], [0, 0], 10)]);
    expectCredits(runAttributionModel(t, 'u-shaped'), { A: [1, 10], B: [0, 0], C: [1, 10], D: [0, 0] });
  });

  it('w-shaped: 30/30/30 on first, lead, opportunity, 10% over the touches between, none after', () => {
    const t = buildPathTable([journey(['A', 'B', 'C', 'D', 'E', 'F'], days.slice(0, 6), [0, 0, LC, 0, OC, 0], 100)]);
    expectCredits(runAttributionModel(t, 'w-shaped'), { A: [0.3, 30], B: [0.05, 5], C: [0.3, 30], D: [0.05, 5], E: [0.3, 30], F: [0, 0] });
  });

  it('w-shaped: a touch that is two milestones gets both weights (first = lead: 60%)', () => {
    const t = buildPathTable([journey(['A', 'B', 'C'], [3, 2, 1], [LC, 0, OC], 10)]);
    expectCredits(runAttributionModel(t, 'w-shaped'), { A: [0.6, 6], B: [0.1, 1], C: [0.3, 3] });
  });

  it('w-shaped without an opportunity rescales what remains: 3/7, 1/7, 3/7', () => {
    const t = buildPathTable([journey(['A', 'B', 'C'], [3, 2, 1], [0, 0, LC], 7)]);
    expectCredits(runAttributionModel(t, 'w-shaped'), { A: [3 / 7, 3], B: [1 / 7, 1], C: [3 / 7, 3] });
  });

  it('full-path: 22.5% on first, lead, opportunity, closed-won; 10% between; repeated channel sums', () => {
    const t = buildPathTable([journey(['A', 'B', 'C', 'D', 'B', 'E', 'F'], days, [0, 0, LC, OC, 0, CW, 0], 1000)]);
    // B is touched twice between milestones: 0.05 + 0.05.
    expectCredits(runAttributionModel(t, 'full-path'), { A: [0.225, 225], B: [0.1, 100], C: [0.225, 225], D: [0.225, 225], E: [0.225, 225], F: [0, 0] });
  });

  it('custom weights, and refuses custom without weights or with negative ones', () => {
    const t = buildPathTable([journey(['A', 'B', 'C'], [3, 2, 1], [0, 0, LC], 10)]);
    const weights = { first_touch: 0.2, lead_creation: 0.6, opportunity_creation: 0, closed_won: 0, between: 0.2 };
    expectCredits(runAttributionModel(t, 'custom', { milestoneWeights: weights }), { A: [0.2, 2], B: [0.2, 2], C: [0.6, 6] });
    expect(() => runAttributionModel(t, 'custom')).toThrow(/custom needs milestone weights/);
    expect(() => runAttributionModel(t, 'custom', { milestoneWeights: { ...weights, between: -1 } })).toThrow(/milestone weight between must be a non-negative number, got -1/);
  });
});
