import type { Kysely } from 'kysely';
import type { AccountRow, Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import {
  dropAccountExternalIdsOfMerge,
  keepAccountExternalIds,
  mergeAccounts,
  moveAccountExternalIds,
  reinsertAccount,
  restoreAccountExternalIds,
  revertAccountFields,
  type AccountFieldChanges,
  type AccountValues,
} from '../accounts/index.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { moveAccountContactLinks, restoreAccountContactLinks } from '../contacts/index.ts';
import { moveOpportunitiesToAccount, restoreOpportunitiesToAccount } from '../opportunities/index.ts';
import * as q from './dedupe.queries.ts';

/** A table whose rows point at an account: moved on merge, moved back on undo (by key). */
export interface AccountReference {
  table: string;
  move(db: Kysely<Database>, workspaceId: string, fromAccount: string, toAccount: string): Promise<unknown[]>;
  restore(db: Kysely<Database>, workspaceId: string, keys: unknown[], winner: string, loser: string): Promise<void>;
}

/**
 * THE list of tables that reference accounts (the account twin of identity's
 * CONTACT_REFERENCES): add a table here (account scores, ...) and account merges keep
 * its rows, undo puts them back.
 */
export const ACCOUNT_REFERENCES: readonly AccountReference[] = [
  { table: 'opportunities', move: moveOpportunitiesToAccount, restore: (db, ws, keys, winner, loser) => restoreOpportunitiesToAccount(db, ws, keys as string[], winner, loser) },
  {
    table: 'contact_accounts',
    move: moveAccountContactLinks,
    restore: (db, ws, keys, winner, loser) => restoreAccountContactLinks(db, ws, keys as Array<{ contact_id: string; created_at: string; winner_had: boolean }>, winner, loser),
  },
  // External ids the loser answered to through earlier merges (its own one is kept by mergeAccountPair).
  { table: 'account_external_ids', move: moveAccountExternalIds, restore: (db, ws, keys, winner, loser) => restoreAccountExternalIds(db, ws, keys as string[], winner, loser) },
];

export interface AccountMergeRequest {
  winnerId: string;
  loserId: string;
  reason: string;
  actor: AuditActor;
  choose: (winner: AccountRow, loser: AccountRow) => AccountValues;
  auditDetails?: Record<string, unknown>;
}

/** Merges two accounts: opportunities and contact links move, both snapshots and every moved key are recorded, audited. */
export async function mergeAccountPair(db: Kysely<Database>, workspaceId: string, request: AccountMergeRequest) {
  const { winnerId, loserId } = request;
  if (winnerId === loserId) throw new AppError('invalid', `Cannot merge account ${winnerId} into itself`);
  const movedRows: Record<string, unknown[]> = {};
  for (const reference of ACCOUNT_REFERENCES) movedRows[reference.table] = await reference.move(db, workspaceId, loserId, winnerId);
  const merged = await mergeAccounts(db, workspaceId, winnerId, loserId, request.choose);
  if (!merged) throw new AppError('not_found', `Account ${winnerId} or ${loserId} not found`);
  const mergeId = await q.insertAccountMerge(db, workspaceId, {
    winnerId,
    loserId,
    reason: request.reason,
    winnerSnapshot: merged.winner,
    loserSnapshot: merged.loser,
    fieldChanges: merged.changes,
    movedRows,
  });
  // The survivor holds one external id; whichever of the two it gave up (the loser's, or its
  // own when survivorship took the loser's) stays its alias, so a later import or group call
  // naming it lands here instead of creating the account again.
  const held = merged.changes.external_id ? merged.changes.external_id.after : merged.winner.external_id;
  const keptExternalIds = [merged.winner.external_id, merged.loser.external_id].filter((x): x is string => x !== null && x !== held);
  await keepAccountExternalIds(db, workspaceId, winnerId, mergeId, keptExternalIds);
  const counts = Object.fromEntries(Object.entries(movedRows).map(([t, keys]) => [t, keys.length]));
  await recordAudit(db, {
    workspaceId,
    actor: request.actor,
    action: 'account.merged',
    objectType: 'account',
    objectId: winnerId,
    details: {
      merge_id: mergeId,
      loser_id: loserId,
      reason: request.reason,
      moved_rows: counts,
      fields_changed: Object.keys(merged.changes),
      external_ids_kept: keptExternalIds,
      ...request.auditDetails,
    },
  });
  return { mergeId, movedRows: counts, fieldChanges: merged.changes };
}

/** Undoes an account merge exactly (see undoContactMerge for the rules). */
export async function undoAccountMerge(db: Kysely<Database>, workspaceId: string, mergeId: string, actor: AuditActor) {
  const merge = await q.selectAccountMerge(db, workspaceId, mergeId);
  if (!merge) throw new AppError('not_found', `Account merge ${mergeId} not found`);
  if (merge.undone_at) throw new AppError('conflict', `Account merge ${mergeId} was already undone at ${merge.undone_at.toISOString()}`);
  const later = await q.selectActiveAccountMergeOfLoser(db, workspaceId, merge.winner_id);
  if (later) throw new AppError('conflict', `Account ${merge.winner_id} was merged into ${later.winner_id} by account merge ${later.id}: undo ${later.id} first`);
  const keptNewerValues = await revertAccountFields(db, workspaceId, merge.winner_id, merge.field_changes as AccountFieldChanges);
  await dropAccountExternalIdsOfMerge(db, workspaceId, mergeId);
  const loser = merge.loser_snapshot as unknown as AccountRow;
  await reinsertAccount(db, workspaceId, loser);
  const restoredRows: Record<string, number> = {};
  for (const reference of [...ACCOUNT_REFERENCES].reverse()) {
    const keys = merge.moved_rows[reference.table] ?? [];
    await reference.restore(db, workspaceId, keys, merge.winner_id, merge.loser_id);
    restoredRows[reference.table] = keys.length;
  }
  await q.updateAccountMergeUndone(db, workspaceId, mergeId, `${actor.kind}:${actor.id}`);
  await recordAudit(db, {
    workspaceId,
    actor,
    action: 'account.merge_undone',
    objectType: 'account',
    objectId: merge.loser_id,
    details: { merge_id: mergeId, winner_id: merge.winner_id, restored_rows: restoredRows, kept_newer_values: keptNewerValues },
  });
  return { mergeId, winnerId: merge.winner_id, loserId: merge.loser_id, restoredRows, keptNewerValues };
}
