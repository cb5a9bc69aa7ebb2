// The demo's marketing spend: a monthly budget per paid campaign (split by the campaign's
// weight), per field event and webinar programme, and the e-mail platform as a channel
// cost, for every month of the demo's 180 days, scaled with the number of accounts, so
// the ROI report has cost beside the attributed pipeline and revenue.
import type { Kysely } from 'kysely';
import { periodLabel } from '../../platform/calendar-periods.ts';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { importCostRows } from '../costs/index.ts';
import { FIELD_EVENTS, PAID_SEARCH_CAMPAIGNS, PAID_SOCIAL_CAMPAIGNS, type PaidCampaign } from './demo-marketing.ts';

const DAY_MS = 86_400_000;
/** Monthly budgets (EUR) at scale 1 (2,000 accounts). */
const BUDGET = { paid_search: 18_000, paid_social: 14_000, event: 9_000, webinar: 2_500, email: 1_200 } as const;

/** The cost rows for the months of [anchor - 180 days, anchor]. */
export function demoCostRows(anchorMs: number, scale: number): Array<Record<string, string | number>> {
  const months = new Set<string>();
  for (let ms = anchorMs - 180 * DAY_MS; ms <= anchorMs; ms += DAY_MS) months.add(periodLabel(ms, 'month'));
  const money = (n: number) => Math.round(n * scale * 100) / 100;
  const split = (channel: string, budget: number, campaigns: readonly PaidCampaign[]) => {
    const byName = new Map<string, number>();
    for (const c of campaigns) byName.set(c.name, (byName.get(c.name) ?? 0) + c.weight);
    const total = [...byName.values()].reduce((a, b) => a + b, 0);
    return [...byName].map(([campaign, weight]) => ({ channel, campaign, cost: money((budget * weight) / total) }));
  };
  const perMonth = [
    ...split('paid_search', BUDGET.paid_search, PAID_SEARCH_CAMPAIGNS),
    ...split('paid_social', BUDGET.paid_social, PAID_SOCIAL_CAMPAIGNS),
    ...FIELD_EVENTS.map((e) => ({ channel: 'events', campaign: `${e}-booth`, cost: money(BUDGET.event / FIELD_EVENTS.length) })),
    { channel: 'events', campaign: 'webinar-follow-up', cost: money(BUDGET.webinar) },
    { channel: 'email', campaign: '', cost: money(BUDGET.email) },
  ];
  return [...months].flatMap((period) => perMonth.map((r) => ({ period, ...r, currency: 'EUR' })));
}

/** Imports the demo's costs (re-running replaces them with the same figures). */
export async function seedDemoCosts(db: Kysely<Database>, workspaceId: string, anchorMs: number, scale: number): Promise<number> {
  return (await importCostRows(db, workspaceId, demoCostRows(anchorMs, scale), systemActor('demo'))).rows;
}
