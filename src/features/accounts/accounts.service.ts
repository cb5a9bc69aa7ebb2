import type { Kysely } from 'kysely';
import type { AccountRow, Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import * as q from './accounts.queries.ts';

export type { AccountUpsert } from './accounts.queries.ts';

export const upsertAccountsFromGroups = (db: Kysely<Database>, workspaceId: string, rows: q.AccountUpsert[], at: Date) =>
  q.upsertAccountsByExternalId(db, workspaceId, rows, at);

export type { AccountFilter } from './accounts.queries.ts';
export const listAccounts = (db: Kysely<Database>, workspaceId: string, filter: q.AccountFilter) => q.selectAccounts(db, workspaceId, filter);
export const countAccounts = (db: Kysely<Database>, workspaceId: string) => q.countAccounts(db, workspaceId);

export async function getAccount(db: Kysely<Database>, workspaceId: string, id: string) {
  const account = await q.selectAccount(db, workspaceId, id);
  if (!account) throw new AppError('not_found', `Account ${id} not found`);
  return account;
}

/** externalId -> account id; external ids with no account in the workspace are absent. */
export const findAccountIdsByExternalIds = (db: Kysely<Database>, workspaceId: string, externalIds: string[]) =>
  q.selectAccountIdsByExternalIds(db, workspaceId, externalIds);

export type { AccountFieldChanges, AccountValues, MergeableAccountColumn } from './accounts.queries.ts';
export { MERGEABLE_ACCOUNT_COLUMNS } from './accounts.queries.ts';
export const listAccountMatchRows = (db: Kysely<Database>, workspaceId: string) => q.selectAccountMatchRows(db, workspaceId);
export const mergeAccounts = (db: Kysely<Database>, workspaceId: string, winnerId: string, loserId: string, choose: (w: AccountRow, l: AccountRow) => q.AccountValues) =>
  q.mergeAccountRows(db, workspaceId, winnerId, loserId, choose);
export const revertAccountFields = (db: Kysely<Database>, workspaceId: string, id: string, changes: q.AccountFieldChanges) => q.revertAccountFields(db, workspaceId, id, changes);
export const reinsertAccount = (db: Kysely<Database>, workspaceId: string, snapshot: AccountRow) => q.reinsertAccountRow(db, workspaceId, snapshot);
