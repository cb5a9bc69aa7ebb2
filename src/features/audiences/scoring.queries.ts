import { sql, type Kysely, type RawBuilder } from 'kysely';
import { prepared, maybePrepared } from '../../platform/db/prepared-statements.ts';
import type { Database } from '../../platform/db/schema.ts';
import { eventTimeOfOneContact, joinAll } from './conditions.queries.ts';
import { compileTest } from './field-tests.queries.ts';
import type { EngagementRule } from './scoring-model.ts';

type Sql = RawBuilder<unknown>;
const x = sql.id('x');

export async function selectModelIds(db: Kysely<Database>, workspaceId: string): Promise<Map<string, string>> {
  const rows = await db.selectFrom('scoring_models').select(['id', 'name']).where('workspace_id', '=', workspaceId).execute();
  return new Map(rows.map((r) => [r.name, r.id]));
}

export const selectModels = (db: Kysely<Database>, workspaceId: string) =>
  db.selectFrom('scoring_models').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();

export const selectModelByName = (db: Kysely<Database>, workspaceId: string, name: string) =>
  db.selectFrom('scoring_models').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();

export const upsertModel = (db: Kysely<Database>, workspaceId: string, name: string, description: string | null, definition: Record<string, unknown>) =>
  db
    .insertInto('scoring_models')
    .values({ workspace_id: workspaceId, name, description, definition: JSON.stringify(definition) })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doUpdateSet({ description, definition: JSON.stringify(definition), updated_at: new Date() }))
    .returningAll()
    .executeTakeFirstOrThrow();

export async function deleteModelRow(db: Kysely<Database>, workspaceId: string, id: string): Promise<void> {
  await db.deleteFrom('scoring_models').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export async function markModelComputed(db: Kysely<Database>, workspaceId: string, id: string, at: Date): Promise<void> {
  await db.updateTable('scoring_models').set({ computed_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

const scopeOf = (column: Sql, scope: readonly string[] | undefined) => (scope ? sql`and ${column} = any(${scope}::uuid[])` : sql``);

/** Rows (contact_id, rule, kind, points) of one fit rule. */
export function fitRuleParts(workspaceId: string, name: string, points: number, predicate: Sql, scope: readonly string[] | undefined): Sql {
  return sql`select ${x}.id as contact_id, ${name}::text as rule, 'fit'::text as kind, ${points}::int as points
    from contacts ${x} where ${x}.workspace_id = ${workspaceId}::uuid ${scopeOf(sql`${x}.id`, scope)} and ${predicate}`;
}

/**
 * Rows of one engagement rule: points per occurrence, halved every half-life, at most
 * `cap.max` occurrences per period (the newest count). Each weight is rounded to 6
 * decimals before summing so that any evaluation order gives the same total.
 */
export function engagementRuleParts(
  workspaceId: string,
  rule: EngagementRule,
  opts: { now: Date; halfLifeDays: number | undefined; lookbackDays: number; scope: readonly string[] | undefined },
): Sql {
  const e = sql.id('e');
  const age = sql`extract(epoch from (${opts.now.toISOString()}::timestamptz - ${e}.timestamp))`;
  const weight = opts.halfLifeDays
    ? sql`round((${rule.points}::float8 * power(0.5::float8, ${age} / ${opts.halfLifeDays * 86_400}::float8))::numeric, 6)`
    : sql`${rule.points}::numeric`;
  const rank = rule.cap
    ? sql`, row_number() over (partition by ${e}.contact_id, date_trunc(${rule.cap.per}::text, ${e}.timestamp at time zone 'UTC') order by ${e}.timestamp desc, ${e}.message_id) as rn`
    : sql``;
  const since = new Date(opts.now.getTime() - opts.lookbackDays * 86_400_000);
  const filters: Sql[] = (rule.where ?? []).map((w, i) => compileTest({ kind: 'json', doc: sql`${e}.properties`, path: w.property.split('.') }, w.op, w.value, `where[${i}]`, opts.now));
  const ts = opts.scope ? eventTimeOfOneContact('e') : sql`${e}.timestamp`;
  const matching = sql`${e}.workspace_id = ${workspaceId}::uuid and ${e}.name = ${rule.event}::text
        and ${ts} <= ${opts.now.toISOString()}::timestamptz and ${ts} > ${since.toISOString()}::timestamptz and ${joinAll(filters, 'and')}`;
  const capped = rule.cap ? sql`where ev.rn <= ${rule.cap.max}::int` : sql``;
  if (opts.scope) {
    // Per contact of the run through the (contact, name, time) index: a lateral lookup
    // (offset 0 keeps the planner from flattening it into a join) keeps that plan whatever
    // the statistics say about the window.
    return sql`select u.id as contact_id, ${rule.name}::text as rule, 'engagement'::text as kind, round(sum(ev.w))::int as points
      from unnest(${opts.scope}::uuid[]) as u(id) cross join lateral (
        select ${weight} as w ${rank} from events ${e} where ${e}.contact_id = u.id and ${matching} offset 0
      ) ev ${capped} group by u.id having round(sum(ev.w)) <> 0`;
  }
  return sql`select ev.contact_id, ${rule.name}::text as rule, 'engagement'::text as kind, round(sum(ev.w))::int as points from (
      select ${e}.contact_id, ${weight} as w ${rank} from events ${e} where ${e}.contact_id is not null and ${matching}
    ) ev ${capped} group by ev.contact_id having round(sum(ev.w)) <> 0`;
}

/** A contact's model totals before and after a pass (null: no row, no points). */
export interface TotalChange {
  contactId: string;
  before: { fit: number; engagement: number } | null;
  after: { fit: number; engagement: number } | null;
}

/**
 * Replaces stored rule points by `parts`, logging every rule whose points changed (its
 * reason), and the totals, in one statement. `due` lists the (contact, rule) pairs that
 * `parts` evaluated (an incremental pass): other rules of those contacts keep their stored
 * points, which count in the totals. Without it, every rule of every contact. Returns the
 * number of rule changes and, incremental, the totals that moved (account scores follow them).
 */
export async function syncContactScores(
  db: Kysely<Database>,
  args: { workspaceId: string; modelId: string; parts: Sql[]; due: { contacts: readonly string[]; rules: readonly string[] } | undefined; now: Date },
): Promise<{ changes: number; totals: TotalChange[] }> {
  const { workspaceId: ws, modelId: model, now, due } = args;
  const none = sql`select null::uuid as contact_id, null::text as rule, null::text as kind, null::int as points where false`;
  const newParts = args.parts.length > 0 ? sql.join(args.parts, sql` union all `) : none;
  const isDue = sql`exists (select 1 from due d where d.contact_id = s.contact_id and d.rule = s.rule)`;
  // Incremental: each due contact's rows through the primary key (a lateral lookup,
  // whatever the statistics of a table just rewritten say), split into the due rules'
  // (to diff) and the others' (kept, for the totals).
  const stored = due
    ? sql`due as materialized (select d.contact_id, d.rule from unnest(${due.contacts}::uuid[], ${due.rules}::text[]) as d(contact_id, rule)),
      stored as materialized (
        select p.contact_id, p.rule, p.kind, p.points from (select distinct contact_id from due) u cross join lateral (
          select contact_id, rule, kind, points from contact_score_parts where workspace_id = ${ws}::uuid and model_id = ${model}::uuid and contact_id = u.contact_id offset 0
        ) p
      ),
      old_parts as materialized (select * from stored s where ${isDue}),
      kept as materialized (select * from stored s where not ${isDue}),
      old_totals as materialized (
        select t.contact_id, t.fit, t.engagement from (select distinct contact_id from due) u cross join lateral (
          select contact_id, fit, engagement from contact_scores where workspace_id = ${ws}::uuid and model_id = ${model}::uuid and contact_id = u.contact_id offset 0
        ) t
      ),`
    : sql`old_parts as materialized (select contact_id, rule, kind, points from contact_score_parts where workspace_id = ${ws}::uuid and model_id = ${model}::uuid),
      kept as materialized (${none}),`;
  const changed = await maybePrepared(due !== undefined, sql<{ n: string; totals: Array<[string, number | null, number | null, number | null, number | null]> | null }>`
    with new_parts as materialized (${newParts}),
    ${stored}
    changes as materialized (
      select coalesce(n.contact_id, o.contact_id) as contact_id, coalesce(n.rule, o.rule) as rule, coalesce(n.kind, o.kind) as kind,
        coalesce(o.points, 0) as before, coalesce(n.points, 0) as after
      from new_parts n full join old_parts o on o.contact_id = n.contact_id and o.rule = n.rule
      where coalesce(o.points, 0) <> coalesce(n.points, 0)
    ), logged as (
      -- In contact and rule order: a pass's changes are listed the same way every time.
      insert into score_changes (workspace_id, model_id, contact_id, rule, points_before, points_after, at)
      select ${ws}::uuid, ${model}::uuid, contact_id, rule, before, after, ${now.toISOString()}::timestamptz from changes order by contact_id, rule
    ), removed as (
      delete from contact_score_parts p
      where p.workspace_id = ${ws}::uuid and p.model_id = ${model}::uuid and (p.contact_id, p.rule) in (select contact_id, rule from changes where after = 0)
    ), upserted as (
      insert into contact_score_parts (workspace_id, model_id, contact_id, rule, kind, points)
      select ${ws}::uuid, ${model}::uuid, contact_id, rule, kind, after from changes where after <> 0
      on conflict (workspace_id, model_id, contact_id, rule) do update set points = excluded.points, kind = excluded.kind
    ), totals as materialized (
      select contact_id, coalesce(sum(points) filter (where kind = 'fit'), 0)::int as fit, coalesce(sum(points) filter (where kind = 'engagement'), 0)::int as engagement
      from (select contact_id, kind, points from new_parts union all select contact_id, kind, points from kept) p where points <> 0 group by contact_id
    ), totals_upserted as (
      insert into contact_scores (workspace_id, model_id, contact_id, fit, engagement, total, updated_at)
      select ${ws}::uuid, ${model}::uuid, contact_id, fit, engagement, fit + engagement, ${now.toISOString()}::timestamptz from totals
      on conflict (workspace_id, model_id, contact_id) do update set fit = excluded.fit, engagement = excluded.engagement, total = excluded.total, updated_at = excluded.updated_at
      where (contact_scores.fit, contact_scores.engagement) is distinct from (excluded.fit, excluded.engagement)
    ), totals_removed as (
      delete from contact_scores s where s.workspace_id = ${ws}::uuid and s.model_id = ${model}::uuid
        ${due ? sql`and s.contact_id in (select contact_id from old_totals except select contact_id from totals)` : sql`and not exists (select 1 from totals t where t.contact_id = s.contact_id)`}
    )
    select (select count(*) from changes) as n, ${
      due
        ? sql`(select json_agg(json_build_array(coalesce(o.contact_id, t.contact_id), o.fit, o.engagement, t.fit, t.engagement)) from old_totals o full join totals t on t.contact_id = o.contact_id
            where (o.fit, o.engagement) is distinct from (t.fit, t.engagement))`
        : sql`null`
    } as totals`).execute(db);
  const row = changed.rows[0]!;
  const totals = (row.totals ?? []).map(([contactId, fitBefore, engagementBefore, fit, engagement]) => ({ contactId, before: fitBefore === null ? null : { fit: fitBefore, engagement: engagementBefore! }, after: fit === null ? null : { fit, engagement: engagement! } }));
  return { changes: Number(row.n), totals };
}

/**
 * Adds engagement deltas to stored account scores (an account's engagement is the sum of
 * its contacts'); returns the accounts that had a row to add to.
 */
export async function addAccountEngagement(db: Kysely<Database>, args: { workspaceId: string; modelId: string; deltas: ReadonlyMap<string, number>; now: Date }): Promise<Set<string>> {
  if (args.deltas.size === 0) return new Set();
  const result = await prepared(sql<{ account_id: string }>`
    update account_scores a set engagement = a.engagement + d.delta, total = a.total + d.delta, updated_at = ${args.now.toISOString()}::timestamptz
    from unnest(${[...args.deltas.keys()]}::uuid[], ${[...args.deltas.values()]}::int[]) as d(account_id, delta)
    where a.workspace_id = ${args.workspaceId}::uuid and a.model_id = ${args.modelId}::uuid and a.account_id = d.account_id
    returning a.account_id`).execute(db);
  return new Set(result.rows.map((r) => r.account_id));
}

/** Account scores: account fit rules, the best contact fit, and the contacts' engagement summed. */
export async function syncAccountScores(
  db: Kysely<Database>,
  args: { workspaceId: string; modelId: string; fitRules: Array<{ points: number; predicate: Sql }>; scope: readonly string[] | undefined; now: Date },
): Promise<void> {
  const { workspaceId: ws, modelId: model } = args;
  const fit = args.fitRules.length > 0 ? sql.join(args.fitRules.map((r) => sql`(case when ${r.predicate} then ${r.points}::int else 0 end)`), sql` + `) : sql`0`;
  const upsert = sql`on conflict (workspace_id, model_id, account_id) do update set fit = excluded.fit, contact_fit = excluded.contact_fit, engagement = excluded.engagement,
      total = excluded.total, updated_at = excluded.updated_at
    where (account_scores.fit, account_scores.contact_fit, account_scores.engagement) is distinct from (excluded.fit, excluded.contact_fit, excluded.engagement)`;
  if (args.scope) {
    // A few accounts: each one's contacts through the indexes (a lateral lookup per account).
    await prepared(sql`
      insert into account_scores (workspace_id, model_id, account_id, fit, contact_fit, engagement, total, updated_at)
      select ${ws}::uuid, ${model}::uuid, t.id, t.fit, t.contact_fit, t.engagement, t.fit + t.contact_fit + t.engagement, ${args.now.toISOString()}::timestamptz from (
        select ${x}.id, (${fit})::int as fit, coalesce(r.contact_fit, 0)::int as contact_fit, coalesce(r.engagement, 0)::int as engagement
        from unnest(${args.scope}::uuid[]) as u(id) join accounts ${x} on ${x}.workspace_id = ${ws}::uuid and ${x}.id = u.id
        cross join lateral (
          select max(s.fit) as contact_fit, sum(s.engagement) as engagement from contact_accounts ca
          join contact_scores s on s.workspace_id = ca.workspace_id and s.model_id = ${model}::uuid and s.contact_id = ca.contact_id
          where ca.workspace_id = ${ws}::uuid and ca.account_id = u.id
        ) r
      ) t
      ${upsert}`).execute(db);
    return;
  }
  // One grouped join, not a subquery per account: it hashes on a full recompute.
  await sql`
    insert into account_scores (workspace_id, model_id, account_id, fit, contact_fit, engagement, total, updated_at)
    select ${ws}::uuid, ${model}::uuid, t.id, t.fit, t.contact_fit, t.engagement, t.fit + t.contact_fit + t.engagement, ${args.now.toISOString()}::timestamptz from (
      select ${x}.id, (${fit})::int as fit, coalesce(r.contact_fit, 0)::int as contact_fit, coalesce(r.engagement, 0)::int as engagement
      from accounts ${x}
      left join (
        select ca.account_id, max(s.fit) as contact_fit, sum(s.engagement) as engagement
        from contact_accounts ca join contact_scores s on s.workspace_id = ca.workspace_id and s.model_id = ${model}::uuid and s.contact_id = ca.contact_id
        where ca.workspace_id = ${ws}::uuid
        group by ca.account_id
      ) r on r.account_id = ${x}.id
      where ${x}.workspace_id = ${ws}::uuid
    ) t
    ${upsert}`.execute(db);
}

export const selectScoreParts = (db: Kysely<Database>, workspaceId: string, contactId: string) =>
  db
    .selectFrom('contact_score_parts as p')
    .innerJoin('scoring_models as m', (j) => j.onRef('m.workspace_id', '=', 'p.workspace_id').onRef('m.id', '=', 'p.model_id'))
    .select(['m.name as model', 'p.rule', 'p.kind', 'p.points'])
    .where('p.workspace_id', '=', workspaceId)
    .where('p.contact_id', '=', contactId)
    .orderBy('m.name')
    .orderBy('p.points', 'desc')
    .execute();

export const selectContactScores = (db: Kysely<Database>, workspaceId: string, contactId: string) =>
  db
    .selectFrom('contact_scores as s')
    .innerJoin('scoring_models as m', (j) => j.onRef('m.workspace_id', '=', 's.workspace_id').onRef('m.id', '=', 's.model_id'))
    .select(['m.name as model', 's.fit', 's.engagement', 's.total', 's.updated_at'])
    .where('s.workspace_id', '=', workspaceId)
    .where('s.contact_id', '=', contactId)
    .execute();

export const selectScoreChanges = (db: Kysely<Database>, workspaceId: string, contactId: string, limit: number) =>
  db
    .selectFrom('score_changes as c')
    .innerJoin('scoring_models as m', (j) => j.onRef('m.workspace_id', '=', 'c.workspace_id').onRef('m.id', '=', 'c.model_id'))
    .select(['m.name as model', 'c.rule', 'c.points_before', 'c.points_after', 'c.at'])
    .where('c.workspace_id', '=', workspaceId)
    .where('c.contact_id', '=', contactId)
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();

export const selectAccountScores = (db: Kysely<Database>, workspaceId: string, accountId: string) =>
  db
    .selectFrom('account_scores as s')
    .innerJoin('scoring_models as m', (j) => j.onRef('m.workspace_id', '=', 's.workspace_id').onRef('m.id', '=', 's.model_id'))
    .select(['m.name as model', 's.fit', 's.contact_fit', 's.engagement', 's.total', 's.updated_at'])
    .where('s.workspace_id', '=', workspaceId)
    .where('s.account_id', '=', accountId)
    .execute();

/** Closed opportunities with their account's contacts: what a backtest scores. */
export async function selectClosedOpportunities(db: Kysely<Database>, workspaceId: string) {
  const result = await sql<{ id: string; account_id: string; created_date: Date; is_won: boolean; contact_ids: string[] }>`
    select o.id, o.account_id, o.created_date, o.is_won,
      coalesce((select array_agg(ca.contact_id) from contact_accounts ca where ca.workspace_id = o.workspace_id and ca.account_id = o.account_id), '{}') as contact_ids
    from opportunities o where o.workspace_id = ${workspaceId}::uuid and o.is_closed order by o.created_date`.execute(db);
  return result.rows;
}

/** Contact fit and engagement as of `parts`' clock, computed without storing anything. */
export async function sumParts(db: Kysely<Database>, parts: Sql[]): Promise<Array<{ contact_id: string; fit: number; engagement: number }>> {
  if (parts.length === 0) return [];
  const result = await sql<{ contact_id: string; fit: number; engagement: number }>`
    select contact_id, coalesce(sum(points) filter (where kind = 'fit'), 0)::int as fit, coalesce(sum(points) filter (where kind = 'engagement'), 0)::int as engagement
    from (${sql.join(parts, sql` union all `)}) p group by contact_id`.execute(db);
  return result.rows;
}

/** Account fit points of one account now (accounts keep no history of their fields). */
export async function selectAccountFit(db: Kysely<Database>, workspaceId: string, accountId: string, fitRules: Array<{ points: number; predicate: Sql }>): Promise<number> {
  if (fitRules.length === 0) return 0;
  const fit = sql.join(fitRules.map((r) => sql`(case when ${r.predicate} then ${r.points}::int else 0 end)`), sql` + `);
  const result = await sql<{ fit: number }>`select (${fit})::int as fit from accounts ${x} where ${x}.workspace_id = ${workspaceId}::uuid and ${x}.id = ${accountId}::uuid`.execute(db);
  return result.rows[0]?.fit ?? 0;
}
