import type { Kysely } from 'kysely';
import type { AccountRow, Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import * as aliases from './account-external-ids.queries.ts';
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

export type { AccountCore } from './accounts.queries.ts';
export const findAccountIdsByDomains = (db: Kysely<Database>, workspaceId: string, domains: string[]) => q.selectAccountIdsByDomains(db, workspaceId, domains);
export const createAccountsForDomains = (db: Kysely<Database>, workspaceId: string, domains: string[], traits: Record<string, unknown>, at: Date) =>
  q.insertAccountsForDomains(db, workspaceId, domains, traits, at);
/** One page of every account's core columns, in id order: pass the last id as `afterId`. */
export const pageAccountCores = (db: Kysely<Database>, workspaceId: string, afterId: string | undefined, limit: number) => q.selectAccountCores(db, workspaceId, afterId, limit);
export const setAccountTraits = (db: Kysely<Database>, workspaceId: string, rows: Array<{ id: string; traits: Record<string, unknown> }>, removeKeys: readonly string[] = []) =>
  q.updateAccountTraits(db, workspaceId, rows, removeKeys);
export type { AccountWrite, KeyedAccountRow } from './accounts.queries.ts';
/** Accounts matching any of the external ids or domains (for imports). */
export const findAccountsByKeys = (db: Kysely<Database>, workspaceId: string, externalIds: string[], domains: string[]) =>
  q.selectAccountsByKeys(db, workspaceId, externalIds, domains);
export const insertAccounts = (db: Kysely<Database>, workspaceId: string, rows: q.AccountWrite[], at: Date) => q.insertAccountRows(db, workspaceId, rows, at);
export const updateAccounts = (db: Kysely<Database>, workspaceId: string, rows: Array<q.AccountWrite & { id: string }>, at: Date) =>
  q.updateAccountRows(db, workspaceId, rows, at);
export type { AccountFieldChanges, AccountValues, MergeableAccountColumn } from './accounts.queries.ts';
export { MERGEABLE_ACCOUNT_COLUMNS } from './accounts.queries.ts';
export const listAccountMatchRows = (db: Kysely<Database>, workspaceId: string) => q.selectAccountMatchRows(db, workspaceId);
export const mergeAccounts = (db: Kysely<Database>, workspaceId: string, winnerId: string, loserId: string, choose: (w: AccountRow, l: AccountRow) => q.AccountValues) =>
  q.mergeAccountRows(db, workspaceId, winnerId, loserId, choose);
export const revertAccountFields = (db: Kysely<Database>, workspaceId: string, id: string, changes: q.AccountFieldChanges) => q.revertAccountFields(db, workspaceId, id, changes);
export const reinsertAccount = (db: Kysely<Database>, workspaceId: string, snapshot: AccountRow) => q.reinsertAccountRow(db, workspaceId, snapshot);

/** Merge: the external ids an account answered to through earlier merges follow it to the survivor. */
export const moveAccountExternalIds = (db: Kysely<Database>, workspaceId: string, fromAccount: string, toAccount: string) =>
  aliases.updateAccountAliasesOwner(db, workspaceId, fromAccount, toAccount);
export const restoreAccountExternalIds = (db: Kysely<Database>, workspaceId: string, externalIds: string[], winner: string, loser: string) =>
  aliases.restoreAccountAliasesOwner(db, workspaceId, externalIds, winner, loser);
/** Merge: the survivor keeps answering to external ids it no longer holds in its column (the loser's, or its own former one). */
export const keepAccountExternalIds = (db: Kysely<Database>, workspaceId: string, accountId: string, mergeId: string, externalIds: string[]) =>
  aliases.insertAccountAliases(db, workspaceId, accountId, mergeId, externalIds);
/** Undo: the external ids a merge made its survivor answer to are dropped. */
export const dropAccountExternalIdsOfMerge = (db: Kysely<Database>, workspaceId: string, mergeId: string) => aliases.deleteAccountAliasesOfMerge(db, workspaceId, mergeId);
