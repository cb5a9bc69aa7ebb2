import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

// account_external_ids (0014) is not in the typed schema: the table is this feature's alone,
// and these few statements are its only readers and writers.

/** externalId -> account id, for the given ids that an account answers to through a merge. */
export async function selectAccountIdsByAliases(db: Q, workspaceId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const result = await sql<{ external_id: string; account_id: string }>`
    select external_id, account_id from account_external_ids
    where workspace_id = ${workspaceId}::uuid and external_id = any(${externalIds}::text[])`.execute(db);
  return new Map(result.rows.map((r) => [r.external_id, r.account_id]));
}

/** Records that `accountId` answers to these external ids since account merge `mergeId`. */
export async function insertAccountAliases(db: Q, workspaceId: string, accountId: string, mergeId: string, externalIds: string[]): Promise<void> {
  if (externalIds.length === 0) return;
  await sql`
    insert into account_external_ids (workspace_id, external_id, account_id, merge_id)
    select ${workspaceId}::uuid, x, ${accountId}::uuid, ${mergeId}::bigint from unnest(${externalIds}::text[]) as x`.execute(db);
}

/** Undo of a merge: the ids it added go (the restored account holds its own again). */
export async function deleteAccountAliasesOfMerge(db: Q, workspaceId: string, mergeId: string): Promise<void> {
  await sql`delete from account_external_ids where workspace_id = ${workspaceId}::uuid and merge_id = ${mergeId}::bigint`.execute(db);
}

/** Merge: the ids the loser answered to (from earlier merges) follow it; returns them. */
export async function updateAccountAliasesOwner(db: Q, workspaceId: string, fromAccount: string, toAccount: string): Promise<string[]> {
  const result = await sql<{ external_id: string }>`
    update account_external_ids set account_id = ${toAccount}::uuid
    where workspace_id = ${workspaceId}::uuid and account_id = ${fromAccount}::uuid
    returning external_id`.execute(db);
  return result.rows.map((r) => r.external_id).sort();
}

/** Undo: exactly those ids go back to the restored loser. */
export async function restoreAccountAliasesOwner(db: Q, workspaceId: string, externalIds: string[], winner: string, loser: string): Promise<void> {
  if (externalIds.length === 0) return;
  await sql`
    update account_external_ids set account_id = ${loser}::uuid
    where workspace_id = ${workspaceId}::uuid and account_id = ${winner}::uuid and external_id = any(${externalIds}::text[])`.execute(db);
}
