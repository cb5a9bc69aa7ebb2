import type { Kysely, Updateable } from 'kysely';
import type { Database, WorkspacePoliciesTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export const selectPolicies = (db: Q, workspaceId: string) =>
  db.selectFrom('workspace_policies').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();

/** Inserts the row with fresh secrets unless another caller won the race. */
export async function insertPoliciesIfMissing(db: Q, workspaceId: string, signingSecret: string, hashSalt: string): Promise<void> {
  await db
    .insertInto('workspace_policies')
    .values({ workspace_id: workspaceId, signing_secret: signingSecret, hash_salt: hashSalt })
    .onConflict((oc) => oc.column('workspace_id').doNothing())
    .execute();
}

export async function updatePolicyRow(db: Q, workspaceId: string, changes: Updateable<WorkspacePoliciesTable>): Promise<void> {
  await db.updateTable('workspace_policies').set({ ...changes, updated_at: new Date() }).where('workspace_id', '=', workspaceId).execute();
}

/** Workspaces with a retention period set (for the scheduled job). */
export const selectRetentionPolicies = (db: Q) =>
  db
    .selectFrom('workspace_policies')
    .select(['workspace_id', 'retention_days', 'retention_mode'])
    .where('retention_days', 'is not', null)
    .execute();
