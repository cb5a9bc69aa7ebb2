import { sql, type Kysely, type RawBuilder } from 'kysely';
import { prepared } from '../../platform/db/prepared-statements.ts';
import type { Database, SegmentSubject, SegmentType } from '../../platform/db/schema.ts';
import { rethrowConflict } from '../../platform/errors.ts';

/**
 * The end of a membership update: the `entered` and `exited` rows (CTEs before it) go to the
 * history, and the statement returns how many of each.
 */
const logMembershipChanges = (ws: string, seg: string, now: Date) => sql`logged as (
      insert into segment_membership_history (workspace_id, segment_id, member_id, change, at)
      select ${ws}::uuid, ${seg}::uuid, member_id, 'entered', ${now}::timestamptz from entered
      union all
      select ${ws}::uuid, ${seg}::uuid, member_id, 'exited', ${now}::timestamptz from exited
      returning change
    )
    select count(*) filter (where change = 'entered') as entered, count(*) filter (where change = 'exited') as exited from logged`;

const countedChanges = (row: { entered: unknown; exited: unknown }) => ({ entered: Number(row.entered), exited: Number(row.exited) });

/** The alias compiled predicates test: `x` is the contact or account row. */
export const SUBJECT_ALIAS = 'x';

/** A static list as a predicate, for previews. */
export const idListPredicate = (ids: readonly string[]) => sql`${sql.id(SUBJECT_ALIAS)}.id = any(${ids}::uuid[])`;

const subjectTable = (subject: SegmentSubject) => sql.table(subject === 'contact' ? 'contacts' : 'accounts');

export interface SegmentRowInput {
  name: string;
  subject: SegmentSubject;
  type: SegmentType;
  description: string | null;
  definition: Record<string, unknown>;
  dependsOn: string[];
  timeDependent: boolean;
}

export async function upsertSegment(db: Kysely<Database>, workspaceId: string, input: SegmentRowInput) {
  try {
    return await db
      .insertInto('segments')
      .values({
        workspace_id: workspaceId,
        name: input.name,
        subject: input.subject,
        type: input.type,
        description: input.description,
        definition: JSON.stringify(input.definition),
        depends_on: input.dependsOn,
        time_dependent: input.timeDependent,
      })
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'name']).doUpdateSet({
          description: input.description,
          definition: JSON.stringify(input.definition),
          depends_on: input.dependsOn,
          time_dependent: input.timeDependent,
          updated_at: new Date(),
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    rethrowConflict(error, `segment ${JSON.stringify(input.name)} already exists`);
  }
}

export const selectSegments = (db: Kysely<Database>, workspaceId: string) =>
  db.selectFrom('segments').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();

export const selectSegmentByName = (db: Kysely<Database>, workspaceId: string, name: string) =>
  db.selectFrom('segments').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();

export async function deleteSegmentRow(db: Kysely<Database>, workspaceId: string, id: string): Promise<void> {
  await db.deleteFrom('segments').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/**
 * Memory for the hashes of a full recompute, for the rest of the transaction. Set tests
 * under a CASE, OR or NOT stay subplans, which PostgreSQL hashes only when the planner's
 * estimate fits in work_mem x hash_mem_multiplier, and otherwise rescans per row: with the
 * default 4 MB, "MQL or SQL" at 1M contacts (its estimate is 500,000 rows through
 * coalesce()) was planned as 10^9 row comparisons. 64 MB hashes a few million ids.
 */
export async function allowLargeHashes(db: Kysely<Database>): Promise<void> {
  await sql`set local work_mem = '64MB'`.execute(db);
}

export async function analyzeMemberships(db: Kysely<Database>): Promise<void> {
  await sql`analyze segment_members`.execute(db);
}

export async function markSegmentComputed(db: Kysely<Database>, workspaceId: string, id: string, at: Date): Promise<void> {
  await db.updateTable('segments').set({ computed_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

export interface MembershipChange {
  entered: number;
  exited: number;
}

/**
 * Brings a segment's members in line with its predicate in one statement: inserts the
 * newcomers, deletes the leavers, and appends both to the history. With `scope`, only
 * those ids are looked at (the incremental path); without, every row (the full path).
 */
export async function syncMembership(
  db: Kysely<Database>,
  args: { workspaceId: string; segmentId: string; subject: SegmentSubject; predicate: RawBuilder<unknown>; scope?: readonly string[] | undefined; now: Date },
): Promise<MembershipChange> {
  const { workspaceId: ws, segmentId: seg, now } = args;
  const x = sql.id(SUBJECT_ALIAS);
  const inScope = args.scope ? sql`and ${x}.id = any(${args.scope}::uuid[])` : sql``;
  const memberInScope = args.scope ? sql`and m.member_id = any(${args.scope}::uuid[])` : sql``;
  const result = await sql<{ entered: string; exited: string }>`
    with target as materialized (
      select ${x}.id from ${subjectTable(args.subject)} ${x} where ${x}.workspace_id = ${ws}::uuid ${inScope} and ${args.predicate}
    ), current as materialized (
      select m.member_id from segment_members m where m.workspace_id = ${ws}::uuid and m.segment_id = ${seg}::uuid ${memberInScope}
    ), diff as materialized (
      -- A full join, which PostgreSQL runs only as a hash or merge join: linear whatever
      -- the estimates. An anti join planned on stale statistics of segment_members (a
      -- segment filled a moment ago seen as empty) looped over the target for each
      -- member, and 'not in' rescans the target per member once it outgrows work_mem: a
      -- recompute of a 362k-member segment at 1M contacts ran for minutes either way.
      select coalesce(t.id, c.member_id) as id, c.member_id is null as entering from target t full join current c on c.member_id = t.id
      where t.id is null or c.member_id is null
    ), entered as (
      insert into segment_members (workspace_id, segment_id, member_id, entered_at)
      select ${ws}::uuid, ${seg}::uuid, d.id, ${now}::timestamptz from diff d where d.entering
      returning member_id
    ), exited as (
      delete from segment_members m where m.workspace_id = ${ws}::uuid and m.segment_id = ${seg}::uuid
        and m.member_id = any(array(select d.id from diff d where not d.entering))
      returning m.member_id
    ), ${logMembershipChanges(ws, seg, now)}`.execute(db);
  return countedChanges(result.rows[0]!);
}

/**
 * The incremental path for several segments of one subject at once: evaluates each
 * segment's predicate for its own due ids (`segments[i].ids`, a subset of `scope`) in one
 * pass over the scope, then inserts newcomers, deletes leavers and logs both, in one
 * statement. Memberships of ids a segment is not due for are left alone. Segments reading
 * one another go in separate calls (dependency levels), so that a reader sees the
 * memberships it reads already updated.
 */
export async function syncMembershipsInScope(
  db: Kysely<Database>,
  args: { workspaceId: string; subject: SegmentSubject; segments: Array<{ id: string; predicate: RawBuilder<unknown>; ids: readonly string[] }>; scope: readonly string[]; now: Date },
): Promise<Map<string, MembershipChange>> {
  const { workspaceId: ws, now, scope } = args;
  const x = sql.id(SUBJECT_ALIAS);
  const ids = args.segments.map((s) => s.id);
  // Per id in scope, a mask with a '1' at the position of each segment it is due for.
  const dueSets = args.segments.map((s) => new Set(s.ids));
  const masks = scope.map((id) => dueSets.map((d) => (d.has(id) ? '1' : '0')).join(''));
  const hits = sql.join(args.segments.map((s, i) => sql`case when substr(u.mask, ${i + 1}::int, 1) = '1' then coalesce(${s.predicate}, false) end`));
  const result = await prepared(sql<{ segment_id: string; entered: string; exited: string }>`
    with u as materialized (
      select * from unnest(${scope}::uuid[], ${masks}::text[]) as u(id, mask)
    ), target as materialized (
      select ${x}.id, array[${hits}]::boolean[] as hits from u join ${subjectTable(args.subject)} ${x} on ${x}.workspace_id = ${ws}::uuid and ${x}.id = u.id
    ), wanted as materialized (
      select t.id, h.segment_id from target t cross join lateral unnest(${ids}::uuid[], t.hits) as h(segment_id, hit) where h.hit
    ), current as materialized (
      -- Each id's memberships through the member index, kept where the segment is due.
      select m.segment_id, m.member_id from u cross join lateral (
        select segment_id, member_id from segment_members where workspace_id = ${ws}::uuid and member_id = u.id offset 0
      ) m where substr(u.mask, array_position(${ids}::uuid[], m.segment_id), 1) = '1'
    ), diff as materialized (
      -- A full join runs as a hash or merge join, never a loop over the other side.
      select coalesce(w.segment_id, c.segment_id) as segment_id, coalesce(w.id, c.member_id) as id, c.member_id is null as entering
      from wanted w full join current c on c.segment_id = w.segment_id and c.member_id = w.id
      where w.id is null or c.member_id is null
    ), entered as (
      insert into segment_members (workspace_id, segment_id, member_id, entered_at)
      select ${ws}::uuid, d.segment_id, d.id, ${now}::timestamptz from diff d where d.entering
      returning segment_id, member_id
    ), exited as (
      delete from segment_members m using diff d
      where m.workspace_id = ${ws}::uuid and not d.entering and m.segment_id = d.segment_id and m.member_id = d.id
      returning m.segment_id, m.member_id
    ), logged as (
      insert into segment_membership_history (workspace_id, segment_id, member_id, change, at)
      select ${ws}::uuid, segment_id, member_id, 'entered', ${now}::timestamptz from entered
      union all
      select ${ws}::uuid, segment_id, member_id, 'exited', ${now}::timestamptz from exited
      returning segment_id, change
    )
    select segment_id, count(*) filter (where change = 'entered') as entered, count(*) filter (where change = 'exited') as exited from logged group by segment_id`).execute(db);
  const changes = new Map<string, MembershipChange>(ids.map((id) => [id, { entered: 0, exited: 0 }]));
  for (const row of result.rows) changes.set(row.segment_id, { entered: Number(row.entered), exited: Number(row.exited) });
  return changes;
}

/** Adds or removes hand-picked members of a static segment, with history. */
export async function changeStaticMembers(
  db: Kysely<Database>,
  args: { workspaceId: string; segmentId: string; subject: SegmentSubject; add: readonly string[]; remove: readonly string[]; now: Date },
): Promise<MembershipChange> {
  const { workspaceId: ws, segmentId: seg, now } = args;
  const result = await sql<{ entered: string; exited: string }>`
    with entered as (
      insert into segment_members (workspace_id, segment_id, member_id, entered_at)
      select ${ws}::uuid, ${seg}::uuid, s.id, ${now}::timestamptz from ${subjectTable(args.subject)} s
      where s.workspace_id = ${ws}::uuid and s.id = any(${args.add}::uuid[]) and not (s.id = any(${args.remove}::uuid[]))
      on conflict do nothing
      returning member_id
    ), exited as (
      delete from segment_members m where m.workspace_id = ${ws}::uuid and m.segment_id = ${seg}::uuid and m.member_id = any(${args.remove}::uuid[])
      returning member_id
    ), ${logMembershipChanges(ws, seg, now)}`.execute(db);
  return countedChanges(result.rows[0]!);
}

export interface MemberRow {
  id: string;
  label: string | null;
  entered_at: Date | null;
}

const labelOf = (subject: SegmentSubject) => (subject === 'contact' ? sql`coalesce(${sql.id(SUBJECT_ALIAS)}.email, ${sql.id(SUBJECT_ALIAS)}.id::text)` : sql`coalesce(${sql.id(SUBJECT_ALIAS)}.name, ${sql.id(SUBJECT_ALIAS)}.domain)`);

/** `select x.id from ... where <predicate>`: the member ids of a compiled definition. */
export const selectMemberIdsQuery = (workspaceId: string, subject: SegmentSubject, predicate: RawBuilder<unknown>) =>
  sql`select ${sql.id(SUBJECT_ALIAS)}.id from ${subjectTable(subject)} ${sql.id(SUBJECT_ALIAS)} where ${sql.id(SUBJECT_ALIAS)}.workspace_id = ${workspaceId}::uuid and ${predicate}`;

/** Count and a sample of the rows a predicate selects, without saving anything. */
export async function previewPredicate(db: Kysely<Database>, workspaceId: string, subject: SegmentSubject, predicate: RawBuilder<unknown>, sampleSize: number): Promise<{ count: number; sample: MemberRow[] }> {
  // A preview reads every row like a full recompute, with the same memory for its hashes.
  if (!db.isTransaction) return db.transaction().execute((trx) => previewPredicate(trx, workspaceId, subject, predicate, sampleSize));
  await allowLargeHashes(db);
  const x = sql.id(SUBJECT_ALIAS);
  const count = await sql<{ n: string }>`select count(*) as n from ${subjectTable(subject)} ${x} where ${x}.workspace_id = ${workspaceId}::uuid and ${predicate}`.execute(db);
  const sample = await sql<MemberRow>`select ${x}.id, ${labelOf(subject)} as label, null::timestamptz as entered_at from ${subjectTable(subject)} ${x}
    where ${x}.workspace_id = ${workspaceId}::uuid and ${predicate} order by ${x}.id limit ${sampleSize}::int`.execute(db);
  return { count: Number(count.rows[0]!.n), sample: sample.rows };
}

export async function selectMembers(db: Kysely<Database>, workspaceId: string, segmentId: string, subject: SegmentSubject, limit: number, after?: string) {
  const x = sql.id(SUBJECT_ALIAS);
  const result = await sql<MemberRow>`select m.member_id as id, ${labelOf(subject)} as label, m.entered_at from segment_members m
    left join ${subjectTable(subject)} ${x} on ${x}.workspace_id = m.workspace_id and ${x}.id = m.member_id
    where m.workspace_id = ${workspaceId}::uuid and m.segment_id = ${segmentId}::uuid ${after ? sql`and m.member_id > ${after}::uuid` : sql``}
    order by m.member_id limit ${limit}::int`.execute(db);
  return result.rows;
}

export async function countMembers(db: Kysely<Database>, workspaceId: string, segmentId: string): Promise<number> {
  const row = await db.selectFrom('segment_members').select((eb) => eb.fn.countAll<string>().as('n')).where('workspace_id', '=', workspaceId).where('segment_id', '=', segmentId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export const selectMembershipHistory = (db: Kysely<Database>, workspaceId: string, filter: { segmentId?: string; memberId?: string; since?: Date; limit: number }) => {
  let query = db.selectFrom('segment_membership_history').select(['id', 'segment_id', 'member_id', 'change', 'at']).where('workspace_id', '=', workspaceId);
  if (filter.segmentId) query = query.where('segment_id', '=', filter.segmentId);
  if (filter.memberId) query = query.where('member_id', '=', filter.memberId);
  if (filter.since) query = query.where('at', '>=', filter.since);
  return query.orderBy('id', 'desc').limit(filter.limit).execute();
};

export const selectSegmentIdsOfMember = (db: Kysely<Database>, workspaceId: string, memberId: string) =>
  db.selectFrom('segment_members').select(['segment_id', 'entered_at']).where('workspace_id', '=', workspaceId).where('member_id', '=', memberId).execute();

/** Entries and exits of one segment after a history id, oldest first (journey triggers). */
export const selectMembershipChangesAfter = (db: Kysely<Database>, workspaceId: string, segmentId: string, afterId: string, limit: number) =>
  db
    .selectFrom('segment_membership_history')
    .select(['id', 'member_id', 'change', 'at'])
    .where('workspace_id', '=', workspaceId)
    .where('segment_id', '=', segmentId)
    .where('id', '>', afterId as never)
    .orderBy('id')
    .limit(limit)
    .execute();

export const selectLastMembershipChangeId = async (db: Kysely<Database>, workspaceId: string): Promise<string> =>
  String((await db.selectFrom('segment_membership_history').select((eb) => eb.fn.max('id').as('id')).where('workspace_id', '=', workspaceId).executeTakeFirst())?.id ?? 0);

export const isSegmentMember = async (db: Kysely<Database>, workspaceId: string, segmentId: string, memberId: string): Promise<boolean> =>
  Boolean(await db.selectFrom('segment_members').select('member_id').where('workspace_id', '=', workspaceId).where('segment_id', '=', segmentId).where('member_id', '=', memberId).executeTakeFirst());
