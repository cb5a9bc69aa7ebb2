import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export interface CostRecord {
  period_start: string;
  period_end: string;
  channel: string;
  campaign: string;
  cost: string;
  currency: string;
  source: string;
}

/** Inserts cost rows or replaces the cost of the same period/channel/campaign/currency; counts each. */
export async function upsertCosts(db: Q, workspaceId: string, rows: CostRecord[]): Promise<{ inserted: number; updated: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0 };
  const col = <K extends keyof CostRecord>(k: K) => rows.map((r) => r[k]);
  const result = await sql<{ inserted: boolean }>`
    insert into campaign_costs (workspace_id, period_start, period_end, channel, campaign, cost, currency, source)
    select ${workspaceId}::uuid, t.s, t.e, t.ch, t.ca, t.cost, t.cur, t.src
    from unnest(${col('period_start')}::date[], ${col('period_end')}::date[], ${col('channel')}::text[], ${col('campaign')}::text[], ${col('cost')}::numeric[], ${col('currency')}::text[], ${col('source')}::text[]) as t(s, e, ch, ca, cost, cur, src)
    on conflict (workspace_id, period_start, period_end, channel, campaign, currency)
    do update set cost = excluded.cost, source = excluded.source, imported_at = now()
    returning (xmax = 0) as inserted`.execute(db);
  const inserted = result.rows.filter((r) => r.inserted).length;
  return { inserted, updated: result.rows.length - inserted };
}

/** Cost rows whose period overlaps the days [fromDay, toDay) (YYYY-MM-DD), dates as text. */
export async function selectCostsOverlapping(db: Q, workspaceId: string, fromDay: string, toDay: string): Promise<CostRecord[]> {
  const result = await sql<CostRecord>`
    select period_start::text as period_start, period_end::text as period_end, channel, campaign, cost::text as cost, currency, source
    from campaign_costs
    where workspace_id = ${workspaceId}::uuid and period_start < ${toDay}::date and period_end > ${fromDay}::date
    order by period_start, channel, campaign, currency`.execute(db);
  return result.rows;
}
