import { sql, type Kysely } from 'kysely';
import { prepared } from '../../platform/db/prepared-statements.ts';
import type { Database } from '../../platform/db/schema.ts';

/**
 * Appends queue rows, each with what changed (null: unknown, every rule is due). No unique
 * key and no ON CONFLICT: an insert never meets a row that a derivation in progress has
 * locked, so the ingest transaction never waits for one.
 */
export async function insertQueueEntries(db: Kysely<Database>, workspaceId: string, entity: 'contact' | 'account', entries: ReadonlyArray<{ id: string; changes: readonly string[] | null }>): Promise<void> {
  if (entries.length === 0) return;
  // As JSON: event names are user text, so no separator is safe to join them with.
  const rows = JSON.stringify(entries.map((e) => ({ id: e.id, c: e.changes })));
  await sql`insert into audience_queue (workspace_id, entity, entity_id, changes)
    select ${workspaceId}::uuid, ${entity}, t.id, case when t.c is null or jsonb_typeof(t.c) <> 'array' then null else array(select jsonb_array_elements_text(t.c)) end
    from jsonb_to_recordset(${rows}::jsonb) as t(id uuid, c jsonb)`.execute(db);
}

/**
 * Settings of a derivation pass's transaction, made with its lock: its commit returns before its WAL is
 * flushed (see deriveQueuedAudiences), and its prepared statements run on generic plans,
 * planned once per connection: they look rows up by key, a plan that holds whatever the
 * values and statistics.
 */
const derivationSettings = sql`set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)`;

/**
 * Takes (deletes and returns) the oldest `limit` queue rows with their changes, and the
 * account links of the contacts taken, once the workspace's derivation lock is held: one
 * round trip for what a pass starts with. Run in the derivation's transaction: the rows
 * stay claimed until it commits, and come back if it fails. Takes nothing when another
 * pass holds the lock.
 */
export async function takeQueueEntries(db: Kysely<Database>, workspaceId: string, limit: number) {
  const result = await prepared(sql<{ entity: 'contact' | 'account'; entity_id: string; changes: string[] | null; account_id: string | null; rules: string | null }>`
    with lock as materialized (
      -- With the lock, the pass's settings (derivationSettings), in the same round trip.
      select pg_try_advisory_xact_lock(hashtext(${`keel:audiences:${workspaceId}`})) as ok, ${derivationSettings}
    ), picked as materialized (
      -- Picked once: as an 'in (subquery)' the planner may rescan the subquery for each
      -- queue row, each scan locking another batch (a pass under ingest took 10,932
      -- contacts of a 5,000 limit, in 10.8 s).
      select id from audience_queue where workspace_id = ${workspaceId}::uuid and (select ok from lock) order by id limit ${limit}::int for update skip locked
    ), taken as (
      delete from audience_queue q using picked p where q.workspace_id = ${workspaceId}::uuid and q.id = p.id
      returning q.entity, q.entity_id, q.changes
    )
    select entity, entity_id, changes, null::uuid as account_id, null as rules from taken
    union all
    select 'contact', t.entity_id, null, ca.account_id, null from (select distinct entity_id from taken where entity = 'contact') t
    cross join lateral (select account_id from contact_accounts where workspace_id = ${workspaceId}::uuid and contact_id = t.entity_id) ca
    union all
    select 'account', null, null, null, ${rulesDigest(workspaceId)} where exists (select 1 from taken)`).execute(db);
  const changes = { contact: new Map<string, Array<string[] | null>>(), account: new Map<string, Array<string[] | null>>() };
  const links: Array<{ contactId: string; accountId: string }> = [];
  let rows = 0;
  let rulesFingerprint = '';
  for (const r of result.rows) {
    if (r.rules !== null) rulesFingerprint = r.rules;
    else if (r.account_id) links.push({ contactId: r.entity_id, accountId: r.account_id });
    else {
      rows++;
      changes[r.entity].set(r.entity_id, [...(changes[r.entity].get(r.entity_id) ?? []), r.changes]);
    }
  }
  return { contacts: changes.contact, accounts: changes.account, links, rows, rulesFingerprint };
}

/**
 * A digest of the workspace's segments, scoring models and stage rules: the row versions
 * (xmin), which any update, insert or delete of those rows moves, whoever makes it.
 */
const rulesDigest = (workspaceId: string) => sql<string>`concat_ws('|',
    (select string_agg(s.xmin::text, ',' order by s.id) from segments s where s.workspace_id = ${workspaceId}::uuid),
    (select string_agg(m.xmin::text, ',' order by m.id) from scoring_models m where m.workspace_id = ${workspaceId}::uuid),
    (select r.xmin::text from stage_rules r where r.workspace_id = ${workspaceId}::uuid))`;

export async function selectWorkspacesWithQueue(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('audience_queue').select('workspace_id').distinct().execute();
  return rows.map((r) => r.workspace_id);
}

/** Distinct contacts and accounts waiting (a row per change, so one may be queued twice). */
export async function countQueue(db: Kysely<Database>, workspaceId: string): Promise<number> {
  const result = await sql<{ n: string }>`select count(*) as n from (select distinct entity, entity_id from audience_queue where workspace_id = ${workspaceId}::uuid) t`.execute(db);
  return Number(result.rows[0]!.n);
}

/** The account links of some contacts. */
export async function selectLinksOfContacts(db: Kysely<Database>, workspaceId: string, contactIds: readonly string[]): Promise<Array<{ contactId: string; accountId: string }>> {
  if (contactIds.length === 0) return [];
  const rows = await prepared(sql<{ contact_id: string; account_id: string }>`select contact_id, account_id from contact_accounts
    where workspace_id = ${workspaceId}::uuid and contact_id = any(${contactIds}::uuid[])`).execute(db);
  return rows.rows.map((r) => ({ contactId: r.contact_id, accountId: r.account_id }));
}

export async function selectContactsOfAccounts(db: Kysely<Database>, workspaceId: string, accountIds: readonly string[]): Promise<string[]> {
  if (accountIds.length === 0) return [];
  const rows = await prepared(sql<{ contact_id: string }>`select distinct contact_id from contact_accounts
    where workspace_id = ${workspaceId}::uuid and account_id = any(${accountIds}::uuid[])`).execute(db);
  return rows.rows.map((r) => r.contact_id);
}

/** Serializes derivation per workspace (incremental runs and full recomputes). */
export async function lockWorkspaceAudiences(db: Kysely<Database>, workspaceId: string, wait: boolean): Promise<boolean> {
  if (wait) {
    await sql`select pg_advisory_xact_lock(hashtext(${`keel:audiences:${workspaceId}`}))`.execute(db);
    return true;
  }
  const result = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`keel:audiences:${workspaceId}`})) as ok`.execute(db);
  return result.rows[0]!.ok;
}

/**
 * Carries a merged-away contact's audience state to the survivor: the survivor keeps the
 * further lifecycle stage (by `order`), the loser's scores, score parts, stages and
 * memberships go (its exits are recorded).
 */
export async function moveAudienceStateOnMerge(db: Kysely<Database>, workspaceId: string, winnerId: string, loserId: string, order: readonly string[], now: Date): Promise<void> {
  await sql`with exited as (
      delete from segment_members where workspace_id = ${workspaceId}::uuid and member_id = ${loserId}::uuid returning segment_id
    )
    insert into segment_membership_history (workspace_id, segment_id, member_id, change, at)
    select ${workspaceId}::uuid, segment_id, ${loserId}::uuid, 'exited', ${now.toISOString()}::timestamptz from exited`.execute(db);
  await sql`delete from contact_score_parts where workspace_id = ${workspaceId}::uuid and contact_id = ${loserId}::uuid`.execute(db);
  await sql`delete from contact_scores where workspace_id = ${workspaceId}::uuid and contact_id = ${loserId}::uuid`.execute(db);
  await sql`with loser as (
      delete from contact_stages where workspace_id = ${workspaceId}::uuid and contact_id = ${loserId}::uuid and dimension = 'lifecycle' returning stage
    ), winner as (
      select stage from contact_stages where workspace_id = ${workspaceId}::uuid and contact_id = ${winnerId}::uuid and dimension = 'lifecycle'
    ), adopted as (
      insert into contact_stages (workspace_id, contact_id, dimension, stage, entered_at)
      select ${workspaceId}::uuid, ${winnerId}::uuid, 'lifecycle', l.stage, ${now.toISOString()}::timestamptz from loser l
      where array_position(${order}::text[], l.stage) > coalesce((select array_position(${order}::text[], w.stage) from winner w), 0)
      on conflict (workspace_id, contact_id, dimension) do update set stage = excluded.stage, entered_at = excluded.entered_at
      returning stage
    )
    insert into stage_history (workspace_id, contact_id, dimension, from_stage, to_stage, at)
    select ${workspaceId}::uuid, ${winnerId}::uuid, 'lifecycle', (select stage from winner), a.stage, ${now.toISOString()}::timestamptz from adopted a`.execute(db);
  await sql`delete from contact_stages where workspace_id = ${workspaceId}::uuid and contact_id = ${loserId}::uuid`.execute(db);
}

/**
 * Refreshes planner statistics of the tables compiled segments read. After a bulk load
 * (the demo seed) the planner otherwise guesses one row per table and loops where it
 * should hash: 0.9 s instead of 0.14 s for a preview on the demo (measured on PGlite).
 */
export async function analyzeAudienceTables(db: Kysely<Database>): Promise<void> {
  for (const table of ['contacts', 'accounts', 'contact_accounts', 'events', 'opportunities', 'contact_scores', 'contact_stages', 'segment_members']) {
    await sql`analyze ${sql.table(table)}`.execute(db);
  }
}

/**
 * Refreshes statistics of the scores and stages a full recompute just rewrote, before
 * segments read them: a plan made on stale counts may loop where it should hash.
 */
export async function analyzeDerivedTables(db: Kysely<Database>): Promise<void> {
  for (const table of ['contact_score_parts', 'contact_scores', 'account_scores', 'contact_stages']) await sql`analyze ${sql.table(table)}`.execute(db);
}
