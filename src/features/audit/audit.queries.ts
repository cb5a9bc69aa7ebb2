import type { Kysely } from 'kysely';
import { rowBatches } from '../../platform/db/row-batches.ts';
import type { AuditActorKind, Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export interface AuditInsert {
  workspaceId: string;
  actorKind: AuditActorKind;
  actorId: string;
  action: string;
  objectType: string;
  objectId: string | null;
  details: Record<string, unknown>;
}

export async function insertAuditEntries(db: Q, entries: AuditInsert[]): Promise<void> {
  for (const batch of rowBatches(entries)) {
    await db
      .insertInto('audit_log')
      .values(
        batch.map((e) => ({
          workspace_id: e.workspaceId,
          actor_kind: e.actorKind,
          actor_id: e.actorId,
          action: e.action,
          object_type: e.objectType,
          object_id: e.objectId,
          details: JSON.stringify(e.details),
        })),
      )
      .execute();
  }
}

export interface AuditFilter {
  action?: string | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  actorId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Entries older than this id (keyset pagination, newest first). */
  beforeId?: string | undefined;
  limit: number;
}

/** Newest first; returns limit + 1 rows to signal a next page. */
export async function selectAuditEntries(db: Q, workspaceId: string, f: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_kind', 'actor_id', 'action', 'object_type', 'object_id', 'details'])
    .where('workspace_id', '=', workspaceId);
  if (f.action) query = query.where('action', '=', f.action);
  if (f.objectType) query = query.where('object_type', '=', f.objectType);
  if (f.objectId) query = query.where('object_id', '=', f.objectId);
  if (f.actorId) query = query.where('actor_id', '=', f.actorId);
  if (f.from) query = query.where('at', '>=', f.from);
  if (f.to) query = query.where('at', '<', f.to);
  if (f.beforeId) query = query.where('id', '<', f.beforeId as never);
  return query.orderBy('id', 'desc').limit(f.limit + 1).execute();
}
