import type { Kysely } from 'kysely';
import type { Database, KeyKind, KeyRole } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export async function insertWorkspace(db: Q, name: string) {
  return db.insertInto('workspaces').values({ name }).returning(['id', 'name', 'created_at']).executeTakeFirstOrThrow();
}

export async function selectWorkspace(db: Q, id: string) {
  return db.selectFrom('workspaces').select(['id', 'name', 'created_at']).where('id', '=', id).executeTakeFirst();
}

export async function selectWorkspaces(db: Q) {
  return db.selectFrom('workspaces').select(['id', 'name', 'created_at']).orderBy('created_at').execute();
}

export interface NewKeyRow {
  workspace_id: string;
  id: string;
  kind: KeyKind;
  role: KeyRole;
  name: string;
  secret_hash: string;
}

export async function insertApiKey(db: Q, row: NewKeyRow) {
  await db.insertInto('api_keys').values(row).execute();
}

export async function selectApiKeyById(db: Q, id: string) {
  return db
    .selectFrom('api_keys')
    .select(['workspace_id', 'id', 'kind', 'role', 'name', 'secret_hash', 'revoked_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function selectApiKeys(db: Q, workspaceId: string) {
  return db
    .selectFrom('api_keys')
    .select(['id', 'kind', 'role', 'name', 'created_at', 'last_used_at', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function updateKeyRevoked(db: Q, workspaceId: string, id: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updateKeyLastUsed(db: Q, workspaceId: string, id: string, at: Date) {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}
