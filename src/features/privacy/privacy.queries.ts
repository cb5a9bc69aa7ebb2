import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, PrivacyRequestsTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

const COLUMNS = ['id', 'kind', 'email_hash', 'status', 'attempts', 'last_error', 'summary', 'requested_at', 'completed_at'] as const;

export const insertRequest = (db: Q, row: Insertable<PrivacyRequestsTable>) => db.insertInto('privacy_requests').values(row).returning(COLUMNS).executeTakeFirstOrThrow();

export const updateRequest = (db: Q, workspaceId: string, id: string, set: Updateable<PrivacyRequestsTable>) =>
  db.updateTable('privacy_requests').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).returning(COLUMNS).executeTakeFirst();

export const selectRequest = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('privacy_requests').select([...COLUMNS, 'email']).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export const selectRequests = (db: Q, workspaceId: string, limit: number) =>
  db.selectFrom('privacy_requests').select(COLUMNS).where('workspace_id', '=', workspaceId).orderBy('requested_at', 'desc').limit(limit).execute();

/** Erasures to retry: failed (or left pending by a crash) a while ago, across workspaces. */
export const selectErasuresToRetry = (db: Q, olderThan: Date, maxAttempts: number) =>
  db
    .selectFrom('privacy_requests')
    .select(['workspace_id', 'id'])
    .where('kind', '=', 'erasure')
    .where('status', 'in', ['failed', 'pending'])
    .where('requested_at', '<', olderThan)
    .where('attempts', '<', maxAttempts)
    .orderBy('requested_at')
    .limit(100)
    .execute();
