import { sql, type Kysely, type RawBuilder } from 'kysely';
import { prepared, maybePrepared } from '../../platform/db/prepared-statements.ts';
import type { Database, StageDimension } from '../../platform/db/schema.ts';
import type { StageMove } from './stage-rules.ts';

export const selectStageRules = (db: Kysely<Database>, workspaceId: string) =>
  db.selectFrom('stage_rules').select(['definition', 'updated_at']).where('workspace_id', '=', workspaceId).executeTakeFirst();

export async function upsertStageRules(db: Kysely<Database>, workspaceId: string, definition: Record<string, unknown>): Promise<void> {
  await db
    .insertInto('stage_rules')
    .values({ workspace_id: workspaceId, definition: JSON.stringify(definition) })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ definition: JSON.stringify(definition), updated_at: new Date() }))
    .execute();
}

/** For each contact (in scope): which rules hold, and its current stage in the dimension. */
export async function evaluateStageRules(
  db: Kysely<Database>,
  args: { workspaceId: string; dimension: StageDimension; predicates: RawBuilder<unknown>[]; scope: readonly string[] | undefined },
): Promise<Array<{ id: string; stage: string | null; hits: boolean[] }>> {
  const x = sql.id('x');
  const hits = args.predicates.length > 0 ? sql`array[${sql.join(args.predicates)}]::boolean[]` : sql`array[]::boolean[]`;
  const result = await maybePrepared(args.scope !== undefined, sql<{ id: string; stage: string | null; hits: boolean[] }>`
    select ${x}.id, s.stage, ${hits} as hits from contacts ${x}
    left join contact_stages s on s.workspace_id = ${x}.workspace_id and s.contact_id = ${x}.id and s.dimension = ${args.dimension}
    where ${x}.workspace_id = ${args.workspaceId}::uuid ${args.scope ? sql`and ${x}.id = any(${args.scope}::uuid[])` : sql``}`).execute(db);
  return result.rows;
}

/** Writes stage moves and appends them to the history, in one statement whatever the count. */
export async function writeStageMoves(db: Kysely<Database>, workspaceId: string, dimension: StageDimension, moves: StageMove[], now: Date): Promise<void> {
  if (moves.length === 0) return;
  const ids = moves.map((m) => m.contactId);
  const froms = moves.map((m) => m.from);
  const tos = moves.map((m) => m.to);
  await prepared(sql`with moved as (
      insert into contact_stages (workspace_id, contact_id, dimension, stage, entered_at)
      select ${workspaceId}::uuid, t.id, ${dimension}, t.stage, ${now.toISOString()}::timestamptz from unnest(${ids}::uuid[], ${tos}::text[]) as t(id, stage)
      on conflict (workspace_id, contact_id, dimension) do update set stage = excluded.stage, entered_at = excluded.entered_at
    )
    insert into stage_history (workspace_id, contact_id, dimension, from_stage, to_stage, at)
    select ${workspaceId}::uuid, t.id, ${dimension}, t.from_stage, t.to_stage, ${now.toISOString()}::timestamptz
    from unnest(${ids}::uuid[], ${froms}::text[], ${tos}::text[]) with ordinality as t(id, from_stage, to_stage, n) order by t.n`).execute(db);
}

export const selectStagesOfContact = (db: Kysely<Database>, workspaceId: string, contactId: string) =>
  db.selectFrom('contact_stages').select(['dimension', 'stage', 'entered_at']).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).execute();

export const selectStageHistory = (db: Kysely<Database>, workspaceId: string, filter: { contactId?: string; dimension?: StageDimension; since?: Date; limit: number }) => {
  let query = db.selectFrom('stage_history').select(['id', 'contact_id', 'dimension', 'from_stage', 'to_stage', 'at']).where('workspace_id', '=', workspaceId);
  if (filter.contactId) query = query.where('contact_id', '=', filter.contactId);
  if (filter.dimension) query = query.where('dimension', '=', filter.dimension);
  if (filter.since) query = query.where('at', '>=', filter.since);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};

/** How many contacts are in each stage now. */
export const countByStage = (db: Kysely<Database>, workspaceId: string) =>
  db
    .selectFrom('contact_stages')
    .select(['dimension', 'stage', (eb) => eb.fn.countAll<string>().as('contacts')])
    .where('workspace_id', '=', workspaceId)
    .groupBy(['dimension', 'stage'])
    .orderBy('dimension')
    .orderBy('stage')
    .execute();

/** Stage moves after a history id, oldest first (journey triggers). */
export const selectStageMovesAfter = (db: Kysely<Database>, workspaceId: string, dimension: StageDimension, afterId: string, limit: number) =>
  db
    .selectFrom('stage_history')
    .select(['id', 'contact_id', 'from_stage', 'to_stage', 'at'])
    .where('workspace_id', '=', workspaceId)
    .where('dimension', '=', dimension)
    .where('id', '>', afterId as never)
    .orderBy('id')
    .limit(limit)
    .execute();

export const selectLastStageMoveId = async (db: Kysely<Database>, workspaceId: string): Promise<string> =>
  String((await db.selectFrom('stage_history').select((eb) => eb.fn.max('id').as('id')).where('workspace_id', '=', workspaceId).executeTakeFirst())?.id ?? 0);

/** Contacts in a segment: its members, or for an account segment its accounts' contacts. */
const segmentContacts = (workspaceId: string, segmentId: string) => sql`(
  select m.member_id from segment_members m where m.workspace_id = ${workspaceId}::uuid and m.segment_id = ${segmentId}::uuid
  union select ca.contact_id from segment_members m join contact_accounts ca on ca.workspace_id = m.workspace_id and ca.account_id = m.member_id
  where m.workspace_id = ${workspaceId}::uuid and m.segment_id = ${segmentId}::uuid)`;

/**
 * The first time each contact entered each lifecycle stage, a page of (contact, stage)
 * pairs in contact order after `after` (keyset), optionally only a segment's contacts.
 */
export async function selectFirstStageEntries(
  db: Kysely<Database>,
  args: { workspaceId: string; segmentId?: string | undefined; after?: { contactId: string; stage: string } | undefined; limit: number },
): Promise<Array<{ contact_id: string; stage: string; first_at: Date }>> {
  const after = args.after ? sql`and (h.contact_id, h.to_stage) > (${args.after.contactId}::uuid, ${args.after.stage})` : sql``;
  const segment = args.segmentId ? sql`and h.contact_id in ${segmentContacts(args.workspaceId, args.segmentId)}` : sql``;
  const result = await sql<{ contact_id: string; stage: string; first_at: Date }>`
    select h.contact_id, h.to_stage as stage, min(h.at) as first_at from stage_history h
    where h.workspace_id = ${args.workspaceId}::uuid and h.dimension = 'lifecycle' ${segment} ${after}
    group by h.contact_id, h.to_stage order by h.contact_id, h.to_stage limit ${args.limit}`.execute(db);
  return result.rows;
}

/** Contacts whose first entry into any of `stages` (lifecycle) falls in [from, to), with that time. */
export async function selectFirstStageReach(db: Kysely<Database>, args: { workspaceId: string; stages: readonly string[]; from: Date; to: Date }): Promise<Array<{ contact_id: string; first_at: Date }>> {
  const result = await sql<{ contact_id: string; first_at: Date }>`
    select h.contact_id, min(h.at) as first_at from stage_history h
    where h.workspace_id = ${args.workspaceId}::uuid and h.dimension = 'lifecycle' and h.to_stage = any(${[...args.stages]}::text[])
    group by h.contact_id having min(h.at) >= ${args.from.toISOString()}::timestamptz and min(h.at) < ${args.to.toISOString()}::timestamptz
    order by h.contact_id`.execute(db);
  return result.rows;
}
