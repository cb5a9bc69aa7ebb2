import { periodLabel, type PeriodUnit } from '../../platform/calendar-periods.ts';
import { MODEL_NAMES, runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
import { emptyCredits, type ChannelCredits } from './credits.ts';
import { buildPathTable, type JourneyInput } from './path-table.ts';

/** Models whose credits are a sum over journeys: a period's own run is its share of the whole. */
export const ADDITIVE_MODELS: readonly ModelName[] = MODEL_NAMES.filter((m) => m !== 'markov' && m !== 'shapley');

export interface PeriodCredits {
  period: string;
  credits: ChannelCredits;
}

/**
 * The credits of one model broken down by the period of each conversion (the conversion
 * event's time, the opportunity's creation for pipeline, its close for revenue).
 *
 * Rule-based and milestone models credit each journey on its own, so each period runs the
 * model over its own converting journeys and the periods add up to `overall` exactly.
 * Markov and Shapley are fitted once over all journeys of the range (`overall`, with the
 * null journeys); each channel's overall credit is then spread over the periods in
 * proportion to the linear credit the channel earned in each period, so a channel only
 * gets credit in periods whose converting journeys touched it, and the periods of every
 * channel still add up to its overall credit.
 */
export function creditsByPeriod(journeys: readonly JourneyInput[], unit: PeriodUnit, model: ModelName, options: ModelOptions, overall: ChannelCredits | null): PeriodCredits[] {
  const groups = new Map<string, JourneyInput[]>();
  for (const j of journeys) {
    if (j.conversions <= 0 || j.conversionTime === undefined) continue;
    const label = periodLabel(j.conversionTime, unit);
    const list = groups.get(label);
    if (list) list.push(j);
    else groups.set(label, [j]);
  }
  const labels = [...groups.keys()].sort();
  const runOn = (label: string, name: ModelName, opts: ModelOptions) => runAttributionModel(buildPathTable(groups.get(label)!, { detailed: true }), name, opts);
  if (ADDITIVE_MODELS.includes(model)) return labels.map((period) => ({ period, credits: runOn(period, model, options) }));
  if (!overall) return [];
  const linear = labels.map((period) => runOn(period, 'linear', {}));
  return labels.map((period, p) => ({ period, credits: spreadOverall(overall, linear, p) }));
}

/** Period p's part of each channel's overall credit, by the channel's linear share in p. */
function spreadOverall(overall: ChannelCredits, linear: ChannelCredits[], p: number): ChannelCredits {
  const out = emptyCredits(overall.model, overall.channels);
  const index = linear.map((l) => new Map(l.channels.map((c, i) => [c, i])));
  const at = (q: number, measure: 'conversions' | 'value', channel: string) => {
    const i = index[q]!.get(channel);
    return i === undefined ? 0 : linear[q]![measure][i]!;
  };
  const periodTotal = (q: number) => linear[q]!.conversions.reduce((a, b) => a + b, 0);
  overall.channels.forEach((channel, i) => {
    for (const measure of ['conversions', 'value'] as const) {
      // Value credit of a channel whose journeys all had value 0 follows its conversions;
      // failing that, each period's share of all conversions.
      let weights = linear.map((_, q) => at(q, measure, channel));
      if (weights.every((w) => w === 0)) weights = linear.map((_, q) => at(q, 'conversions', channel));
      if (weights.every((w) => w === 0)) weights = linear.map((_, q) => periodTotal(q));
      const sum = weights.reduce((a, b) => a + b, 0);
      out[measure][i] = sum > 0 ? (overall[measure][i]! * weights[p]!) / sum : 0;
    }
  });
  return out;
}
