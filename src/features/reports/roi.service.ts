import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { attributeWorkspace, type CreditRow, type ModelName, type ModelOptions } from '../attribution/index.ts';
import { listCostsInRange, type CostRow } from '../costs/index.ts';

export interface RoiQuery {
  model: ModelName;
  from: Date;
  to: Date;
  lookbackDays?: number | undefined;
  options?: Omit<ModelOptions, 'lookbackDays'> | undefined;
  minEmployees?: number | undefined;
  /** The costs' currency; needed when the range holds costs in several. */
  currency?: string | undefined;
}

export interface RoiRow {
  key: string;
  conversions: number;
  opportunities: number;
  pipeline: number;
  won: number;
  revenue: number;
  cost: number;
  /** (revenue - cost) / cost; null without cost. */
  roi: number | null;
  cost_per_conversion: number | null;
  cost_per_opportunity: number | null;
}

export interface RoiReport {
  model: ModelName;
  from: string;
  to: string;
  min_employees: number | null;
  currency: string | null;
  channels: RoiRow[];
  campaigns: RoiRow[];
  /** Costs imported for a channel as a whole (no campaign): in the channel rows only. */
  channel_level_cost: number;
  totals: RoiRow;
}

/**
 * Attributed pipeline and revenue beside imported cost, per channel and per campaign, under
 * one model: ROI = (revenue - cost) / cost, cost per conversion and per opportunity. Costs
 * are counted for the days of their period inside the range; a channel or campaign with
 * cost and no credit is listed too (it cost money and drove nothing). Amounts are summed
 * as stored: opportunity revenue is not converted to the costs' currency.
 */
export async function reportRoi(db: Kysely<Database>, workspaceId: string, query: RoiQuery): Promise<RoiReport> {
  const costs = selectCurrency(await listCostsInRange(db, workspaceId, query.from, query.to), query.currency);
  const run = (dimension: 'channel' | 'campaign') =>
    attributeWorkspace(db, workspaceId, { model: query.model, from: query.from, to: query.to, dimension, lookbackDays: query.lookbackDays, options: query.options, minEmployees: query.minEmployees });
  const byChannel = await run('channel');
  const byCampaign = await run('campaign');
  const costOf = (key: (c: CostRow) => string | null) => {
    const sums = new Map<string, number>();
    for (const c of costs) {
      const k = key(c);
      if (k !== null) sums.set(k, (sums.get(k) ?? 0) + c.cost);
    }
    return sums;
  };
  const channels = joinCosts(byChannel.rows, costOf((c) => c.channel));
  const campaigns = joinCosts(byCampaign.rows, costOf((c) => (c.campaign === '' ? null : c.campaign)));
  const channelLevel = costs.filter((c) => c.campaign === '').reduce((a, c) => a + c.cost, 0);
  const currencies = [...new Set(costs.map((c) => c.currency))];
  return {
    model: query.model,
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    min_employees: query.minEmployees ?? null,
    currency: query.currency?.trim().toUpperCase() ?? currencies[0] ?? null,
    channels,
    campaigns,
    channel_level_cost: channelLevel,
    totals: roiRow('(total)', { ...byChannel.totals, key: '(total)' }, costs.reduce((a, c) => a + c.cost, 0)),
  };
}

export function selectCurrency(costs: CostRow[], currency: string | undefined): CostRow[] {
  if (currency !== undefined) {
    const code = currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) throw new AppError('invalid', `currency must be a three-letter ISO 4217 code, got "${currency}"`, { field: 'currency', value: currency });
    return costs.filter((c) => c.currency === code);
  }
  const currencies = [...new Set(costs.map((c) => c.currency))].sort();
  if (currencies.length > 1) throw new AppError('invalid', `costs in this range are in ${currencies.join(', ')}: choose one with currency`, { field: 'currency' });
  return costs;
}

function joinCosts(rows: CreditRow[], costs: Map<string, number>): RoiRow[] {
  const out = rows.map((r) => roiRow(r.key, r, costs.get(r.key) ?? 0));
  const credited = new Set(rows.map((r) => r.key));
  for (const [key, cost] of costs) if (!credited.has(key)) out.push(roiRow(key, { key, conversions: 0, value: 0, opportunities: 0, pipeline: 0, won: 0, revenue: 0 }, cost));
  return out;
}

function roiRow(key: string, r: CreditRow, cost: number): RoiRow {
  const per = (n: number) => (cost > 0 && n > 0 ? cost / n : null);
  return {
    key,
    conversions: r.conversions,
    opportunities: r.opportunities,
    pipeline: r.pipeline,
    won: r.won,
    revenue: r.revenue,
    cost,
    roi: cost > 0 ? (r.revenue - cost) / cost : null,
    cost_per_conversion: per(r.conversions),
    cost_per_opportunity: per(r.opportunities),
  };
}
