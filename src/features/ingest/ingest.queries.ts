import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export interface RejectedRow {
  type: string | null;
  message_id: string | null;
  reason: string;
  field: string | null;
  payload: string;
}

/** Appends accepted payloads to the inbox in one statement (unnest keeps it one round trip). */
export async function insertInboxRows(db: Q, workspaceId: string, receivedAt: Date, payloads: string[]): Promise<void> {
  if (payloads.length === 0) return;
  await sql`
    insert into ingest_inbox (workspace_id, received_at, payload)
    select ${workspaceId}::uuid, ${receivedAt}::timestamptz, p from unnest(${payloads}::text[]) as p`.execute(db);
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

export async function selectInboxChunk(db: Q, workspaceId: string, limit: number) {
  return db
    .selectFrom('ingest_inbox')
    .select(['id', 'payload'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function deleteInboxRows(db: Q, workspaceId: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`delete from ingest_inbox where workspace_id = ${workspaceId}::uuid and id = any(${ids}::bigint[])`.execute(db);
}

export async function countInbox(db: Q, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('ingest_inbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
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
