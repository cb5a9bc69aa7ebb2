// Twenty representative segments, each beside the same audience written by hand as one
// SQL query (the baseline). Both select the member ids of the workspace.
import { sql, type RawBuilder } from 'kysely';

type Baseline = (ws: string, now: Date) => RawBuilder<unknown>;
const ago = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();

export const BENCH_MODEL = {
  name: 'bench',
  fit: [
    { name: 'Senior', points: 20, when: { trait: { name: 'seniority', op: 'in', value: ['VP', 'C-level', 'Director'] } } },
    { name: 'Enterprise', points: 15, when: { account: { field: { name: 'employees', op: 'gte', value: 1000 } } } },
  ],
  engagement: [
    { name: 'Webinar', event: 'Webinar Attended', points: 10, cap: { max: 2, per: 'month' } },
    { name: 'Demo', event: 'Demo Requested', points: 30 },
    { name: 'Pricing', event: 'Pricing', points: 3, cap: { max: 3, per: 'week' } },
    { name: 'Careers', event: 'Careers', points: -5 },
  ],
  decay: { half_life_days: 30 },
  lookback_days: 180,
};
export const BENCH_STAGES = {
  lifecycle: [
    { stage: 'lead', when: { field: { name: 'email', op: 'exists' } } },
    { stage: 'mql', when: { score: { model: 'bench', op: 'gte', value: 50 } } },
    { stage: 'sql', when: { event: { name: 'Demo Requested' } } },
  ],
};

const c = (where: RawBuilder<unknown>, ws: string) => sql`select c.id from contacts c where c.workspace_id = ${ws}::uuid and ${where}`;
// The workspace's events up to the clock, as Keel's event conditions read them (events
// stamped later, like the incremental runs' live ones, have not happened yet).
const eventsUntil = (ws: string, now: Date) => sql`events e where e.workspace_id = ${ws}::uuid and e.timestamp <= ${now.toISOString()}::timestamptz`;
const hasEvent = (ws: string, now: Date, name: string, extra: RawBuilder<unknown> = sql`true`) =>
  sql`c.id in (select e.contact_id from ${eventsUntil(ws, now)} and e.name = ${name} and ${extra})`;
const bigAccount = (ws: string) =>
  sql`exists (select 1 from contact_accounts ca join accounts a on a.workspace_id = ca.workspace_id and a.id = ca.account_id where ca.workspace_id = ${ws}::uuid and ca.contact_id = c.id and a.employees >= 1000)`;

export const BENCH_SEGMENTS: Array<{ definition: Record<string, unknown>; baseline: Baseline }> = [
  { definition: { name: 'b01 enterprise accounts', rules: [{ account: { field: { name: 'employees', op: 'gte', value: 1000 } } }] }, baseline: (ws) => c(bigAccount(ws), ws) },
  {
    definition: { name: 'b02 target industries', rules: [{ account: { field: { name: 'industry', op: 'in', value: ['Software', 'Healthcare'] } } }] },
    baseline: (ws) => c(sql`exists (select 1 from contact_accounts ca join accounts a on a.workspace_id = ca.workspace_id and a.id = ca.account_id where ca.workspace_id = ${ws}::uuid and ca.contact_id = c.id and a.industry in ('Software', 'Healthcare'))`, ws),
  },
  { definition: { name: 'b03 directors', rules: [{ field: { name: 'title', op: 'contains', value: 'director' } }] }, baseline: (ws) => c(sql`c.title ilike '%director%'`, ws) },
  { definition: { name: 'b04 senior', rules: [{ trait: { name: 'seniority', op: 'in', value: ['VP', 'C-level'] } }] }, baseline: (ws) => c(sql`c.traits->>'seniority' in ('VP', 'C-level')`, ws) },
  { definition: { name: 'b05 US', rules: [{ field: { name: 'country', op: 'eq', value: 'US' } }] }, baseline: (ws) => c(sql`c.country = 'US'`, ws) },
  { definition: { name: 'b06 free mail', rules: [{ field: { name: 'email', op: 'ends_with', value: '@gmail.com' } }] }, baseline: (ws) => c(sql`c.email like '%@gmail.com'`, ws) },
  { definition: { name: 'b07 seen in 30 days', rules: [{ field: { name: 'last_seen_at', op: 'within_last_days', value: 30 } }] }, baseline: (ws, now) => c(sql`c.last_seen_at >= ${ago(now, 30)}::timestamptz and c.last_seen_at <= ${now.toISOString()}::timestamptz`, ws) },
  {
    definition: { name: 'b08 webinar in 90 days', rules: [{ event: { name: 'Webinar Attended', within_last_days: 90 } }] },
    baseline: (ws, now) => c(hasEvent(ws, now, 'Webinar Attended', sql`e.timestamp >= ${ago(now, 90)}::timestamptz`), ws),
  },
  {
    definition: { name: 'b09 pricing 3x in 30 days', rules: [{ event: { name: 'Pricing', at_least: 3, within_last_days: 30 } }] },
    baseline: (ws, now) => c(sql`c.id in (select e.contact_id from ${eventsUntil(ws, now)} and e.name = 'Pricing' and e.timestamp >= ${ago(now, 30)}::timestamptz group by 1 having count(*) >= 3)`, ws),
  },
  { definition: { name: 'b10 never requested a demo', rules: [{ event: { name: 'Demo Requested', never: true } }] }, baseline: (ws, now) => c(sql`not exists (select 1 from ${eventsUntil(ws, now)} and e.contact_id = c.id and e.name = 'Demo Requested')`, ws) },
  {
    definition: { name: 'b11 long webinar sessions', rules: [{ event: { name: 'Webinar Attended', where: [{ property: 'duration_minutes', op: 'gte', value: 30 }] } }] },
    baseline: (ws, now) => c(hasEvent(ws, now, 'Webinar Attended', sql`(e.properties->>'duration_minutes')::int >= 30`), ws),
  },
  {
    definition: { name: 'b12 clicked in a date range', rules: [{ event: { name: 'Email Link Clicked', between: ['2026-01-01', '2026-12-31'] } }] },
    baseline: (ws, now) => c(hasEvent(ws, now, 'Email Link Clicked', sql`e.timestamp >= '2026-01-01' and e.timestamp < '2027-01-01'`), ws),
  },
  {
    definition: { name: 'b13 score 50 plus', rules: [{ score: { model: 'bench', op: 'gte', value: 50 } }] },
    baseline: (ws) => c(sql`c.id in (select s.contact_id from contact_scores s join scoring_models m on m.id = s.model_id and m.workspace_id = s.workspace_id where s.workspace_id = ${ws}::uuid and m.name = 'bench' and s.total >= 50)`, ws),
  },
  {
    definition: { name: 'b14 MQL or SQL', rules: [{ stage: { op: 'in', value: ['mql', 'sql'] } }] },
    baseline: (ws) => c(sql`c.id in (select contact_id from contact_stages where workspace_id = ${ws}::uuid and dimension = 'lifecycle' and stage in ('mql', 'sql'))`, ws),
  },
  {
    definition: {
      name: 'b15 nested',
      rules: [{ account: { field: { name: 'employees', op: 'gte', value: 1000 } } }, { any: [{ field: { name: 'title', op: 'starts_with', value: 'VP' } }, { field: { name: 'title', op: 'contains', value: 'director' } }] }, { not: { event: { name: 'Careers' } } }],
    },
    baseline: (ws, now) => c(sql`${bigAccount(ws)} and (c.title like 'VP%' or c.title ilike '%director%') and not exists (select 1 from ${eventsUntil(ws, now)} and e.contact_id = c.id and e.name = 'Careers')`, ws),
  },
  {
    definition: { name: 'b16 enterprise webinar fans', rules: [{ segment: { name: 'b01 enterprise accounts' } }, { event: { name: 'Webinar Attended', at_least: 2 } }] },
    baseline: (ws, now) => c(sql`${bigAccount(ws)} and c.id in (select e.contact_id from ${eventsUntil(ws, now)} and e.name = 'Webinar Attended' group by 1 having count(*) >= 2)`, ws),
  },
  { definition: { name: 'b17 enterprise (accounts)', subject: 'account', rules: [{ field: { name: 'employees', op: 'gte', value: 1000 } }] }, baseline: (ws) => sql`select a.id from accounts a where a.workspace_id = ${ws}::uuid and a.employees >= 1000` },
  {
    definition: { name: 'b18 buying group', subject: 'account', rules: [{ contacts: { at_least: 3, where: { trait: { name: 'seniority', op: 'in', value: ['VP', 'Director', 'C-level'] } } } }] },
    baseline: (ws) => sql`select ca.account_id from contact_accounts ca join contacts c on c.workspace_id = ca.workspace_id and c.id = ca.contact_id
      where ca.workspace_id = ${ws}::uuid and c.traits->>'seniority' in ('VP', 'Director', 'C-level') group by 1 having count(*) >= 3`,
  },
  {
    definition: { name: 'b19 open pipeline (accounts)', subject: 'account', rules: [{ opportunity: { status: 'open' } }] },
    baseline: (ws) => sql`select a.id from accounts a where a.workspace_id = ${ws}::uuid and exists (select 1 from opportunities o where o.workspace_id = a.workspace_id and o.account_id = a.id and not o.is_closed)`,
  },
  { definition: { name: 'b20 seats 10-100', rules: [{ trait: { name: 'seats', op: 'between', value: [10, 100] } }] }, baseline: (ws) => c(sql`(c.traits->>'seats')::numeric between 10 and 100`, ws) },
];
