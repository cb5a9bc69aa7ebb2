import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { containingPatterns } from '../../platform/db/like-patterns.ts';

type Q = Kysely<Database>;

export interface RejectedRow {
  type: string | null;
  message_id: string | null;
  reason: string;
  field: string | null;
  payload: string;
}

/** Appends one request's accepted events to the inbox as one row (a JSON array). */
export async function insertInboxRow(db: Q, workspaceId: string, receivedAt: Date, eventCount: number, payload: string): Promise<void> {
  if (eventCount === 0) return;
  await db.insertInto('ingest_inbox').values({ workspace_id: workspaceId, received_at: receivedAt, event_count: eventCount, payload }).execute();
}

export async function insertRejectedRows(db: Q, workspaceId: string, receivedAt: Date, rows: RejectedRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('rejected_events')
    .values(rows.map((r) => ({ ...r, workspace_id: workspaceId, received_at: receivedAt })))
    .execute();
}

/** Workspaces that have unprocessed inbox rows. */
export async function selectWorkspacesWithInbox(db: Q): Promise<string[]> {
  const rows = await db
    .selectFrom('workspaces as w')
    .select('w.id')
    .where((eb) => eb.exists(eb.selectFrom('ingest_inbox as i').select(sql`1`.as('one')).whereRef('i.workspace_id', '=', 'w.id')))
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Takes the per-workspace processing lock for the current transaction. Identity
 * resolution must see one workspace's events in order, from one worker at a time.
 */
export async function tryLockWorkspaceInbox(db: Q, workspaceId: string): Promise<boolean> {
  const result = await sql<{ locked: boolean }>`
    select pg_try_advisory_xact_lock(7324002, hashtext(${workspaceId})) as locked`.execute(db);
  return result.rows[0]?.locked === true;
}

/**
 * The oldest inbox rows holding about `maxEvents` events (at least one row). Sizes are
 * read first, so that payloads beyond the chunk are never fetched.
 */
export async function selectInboxChunk(db: Q, workspaceId: string, maxEvents: number, maxRows = maxEvents) {
  const sizes = await db
    .selectFrom('ingest_inbox')
    .select(['id', 'event_count'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .limit(Math.min(maxEvents, maxRows))
    .execute();
  const ids: string[] = [];
  let events = 0;
  for (const row of sizes) {
    if (ids.length > 0 && events + row.event_count > maxEvents) break;
    ids.push(row.id);
    events += row.event_count;
  }
  if (ids.length === 0) return [];
  const rows = await sql<{ id: string; payload: string }>`
    select id::text as id, payload from ingest_inbox
    where workspace_id = ${workspaceId}::uuid and id = any(${ids}::bigint[]) order by id`.execute(db);
  return rows.rows;
}

export async function deleteInboxRows(db: Q, workspaceId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from ingest_inbox where workspace_id = ${workspaceId}::uuid and id = any(${ids}::bigint[])`.execute(db);
}

/** Processing lag: events waiting and the age of the oldest; cheap (reads the inbox only). */
export async function selectInboxStatus(db: Q, workspaceId: string): Promise<{ pending: number; oldest: Date | null }> {
  const row = await sql<{ pending: number; oldest: Date | null }>`
    select coalesce(sum(event_count), 0)::int as pending, min(received_at) as oldest
    from ingest_inbox where workspace_id = ${workspaceId}::uuid`.execute(db);
  return row.rows[0] ?? { pending: 0, oldest: null };
}

export async function countRejected(db: Q, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('rejected_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface RejectedPage {
  limit: number;
  /** Rows older than this (received_at, id) position. */
  before?: { receivedAt: Date; id: string } | undefined;
}

export async function selectRejected(db: Q, workspaceId: string, page: RejectedPage) {
  let query = db
    .selectFrom('rejected_events')
    .select(['id', 'received_at', 'type', 'message_id', 'reason', 'field', 'payload'])
    .where('workspace_id', '=', workspaceId);
  if (page.before) {
    const { receivedAt, id } = page.before;
    query = query.where(sql<boolean>`(received_at, id) < (${receivedAt}::timestamptz, ${id}::bigint)`);
  }
  return query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

/** Waits for the per-workspace processing lock (the one the worker tries), for this transaction. */
export async function lockWorkspaceInbox(db: Q, workspaceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(7324002, hashtext(${workspaceId}))`.execute(db);
}

/** Rejected events whose payload names one of the values (privacy requests). */
export async function selectRejectedMentioning(db: Q, workspaceId: string, values: string[]) {
  if (values.length === 0) return [];
  return db
    .selectFrom('rejected_events')
    .select(['id', 'received_at', 'type', 'message_id', 'reason', 'field', 'payload'])
    .where('workspace_id', '=', workspaceId)
    .where(sql<boolean>`payload ilike any(${containingPatterns(values)}::text[])`)
    .execute();
}

export async function deleteRejectedMentioning(db: Q, workspaceId: string, values: string[]): Promise<number> {
  if (values.length === 0) return 0;
  const result = await db.deleteFrom('rejected_events').where('workspace_id', '=', workspaceId).where(sql<boolean>`payload ilike any(${containingPatterns(values)}::text[])`).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Unprocessed inbox rows naming one of the values, locked for rewriting. */
export async function selectInboxRowsMentioning(db: Q, workspaceId: string, values: string[]) {
  if (values.length === 0) return [];
  const result = await sql<{ id: string; payload: string }>`
    select id, payload from ingest_inbox where workspace_id = ${workspaceId}::uuid and payload ilike any(${containingPatterns(values)}::text[]) for update`.execute(db);
  return result.rows;
}

export async function updateInboxRowPayload(db: Q, workspaceId: string, id: string, payload: string, eventCount: number): Promise<void> {
  await db.updateTable('ingest_inbox').set({ payload, event_count: eventCount }).where('workspace_id', '=', workspaceId).where('id', '=', id as never).execute();
}
