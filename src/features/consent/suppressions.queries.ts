import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, SuppressionsTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

const COLUMNS = ['id', 'scope', 'reason', 'email', 'email_hash', 'topic_id', 'channel', 'source', 'note', 'created_at', 'phone'] as const;

export const insertSuppressions = (db: Q, rows: Insertable<SuppressionsTable>[]) =>
  rows.length === 0 ? Promise.resolve([]) : db.insertInto('suppressions').values(rows).returning(COLUMNS).execute();

export interface SuppressionFilter {
  email?: string | undefined;
  scope?: string | undefined;
  reason?: string | undefined;
  beforeId?: string | undefined;
  limit: number;
}

export async function selectSuppressions(db: Q, workspaceId: string, f: SuppressionFilter) {
  let query = db.selectFrom('suppressions').select(COLUMNS).where('workspace_id', '=', workspaceId);
  if (f.email) query = query.where('email', '=', f.email);
  if (f.scope) query = query.where('scope', '=', f.scope as never);
  if (f.reason) query = query.where('reason', '=', f.reason as never);
  if (f.beforeId) query = query.where('id', '<', f.beforeId as never);
  return query.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const selectSuppression = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('suppressions').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id as never).executeTakeFirst();

export const deleteSuppression = (db: Q, workspaceId: string, id: string) =>
  db.deleteFrom('suppressions').where('workspace_id', '=', workspaceId).where('id', '=', id as never).executeTakeFirst();

/** Every suppression that applies to an address (by the address or its salted hash). */
export const selectSuppressionsFor = (db: Q, workspaceId: string, email: string, emailHash: string) =>
  db
    .selectFrom('suppressions')
    .select(COLUMNS)
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('email', '=', email), eb('email_hash', '=', emailHash)]))
    .orderBy('id')
    .execute();

/** The suppressions of many addresses at once (by address or salted hash): the send gate's batch. */
export const selectSuppressionsForMany = (db: Q, workspaceId: string, emails: string[], hashes: string[]) =>
  emails.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('suppressions')
        .select(COLUMNS)
        .where('workspace_id', '=', workspaceId)
        .where((eb) => eb.or([eb('email', 'in', emails), eb('email_hash', 'in', hashes)]))
        .orderBy('id')
        .execute();

/** Which of these hashes belong to erased people. */
export async function selectErasedHashes(db: Q, workspaceId: string, hashes: string[]): Promise<Set<string>> {
  if (hashes.length === 0) return new Set();
  const rows = await db
    .selectFrom('suppressions')
    .select('email_hash')
    .where('workspace_id', '=', workspaceId)
    .where('reason', '=', 'erased')
    .where('email_hash', 'in', hashes)
    .execute();
  return new Set(rows.map((r) => r.email_hash!));
}

/** Erasure: the address's own suppressions go; the hashed `erased` one replaces them. */
export async function deleteSuppressionsOfEmail(db: Q, workspaceId: string, email: string): Promise<number> {
  const result = await db.deleteFrom('suppressions').where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function countSuppressionsByReason(db: Q, workspaceId: string) {
  const rows = await sql<{ reason: string; n: number }>`
    select reason, count(*)::int as n from suppressions where workspace_id = ${workspaceId}::uuid group by reason order by reason`.execute(db);
  return rows.rows;
}

/** SMS opt-outs of a phone number (E.164). */
export const selectSuppressionsForPhone = (db: Q, workspaceId: string, phone: string) =>
  db.selectFrom('suppressions').select(COLUMNS).where('workspace_id', '=', workspaceId).where('phone', '=', phone).orderBy('id').execute();

/** START: the number's own SMS opt-outs go (an erased person's hash never does). */
export async function deleteSmsOptOutsOfPhone(db: Q, workspaceId: string, phone: string) {
  return db.deleteFrom('suppressions').where('workspace_id', '=', workspaceId).where('phone', '=', phone).where('reason', '=', 'unsubscribed').returning(['id']).execute();
}

/** Erasure: every suppression keyed by the person's phone numbers. */
export async function deleteSuppressionsOfPhones(db: Q, workspaceId: string, phones: string[]): Promise<number> {
  if (phones.length === 0) return 0;
  const result = await db.deleteFrom('suppressions').where('workspace_id', '=', workspaceId).where('phone', 'in', phones).executeTakeFirst();
  return Number(result.numDeletedRows);
}
