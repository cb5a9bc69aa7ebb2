import type { Kysely } from 'kysely';
import type { ContactRow, Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { mergeContacts, reinsertContact, revertContactFields, type ContactFieldChanges, type ContactValues } from '../contacts/index.ts';
import { CONTACT_REFERENCES, type ContactReference } from './contact-references.ts';
import * as q from './identity.queries.ts';

export interface ContactMergeRequest {
  winnerId: string;
  loserId: string;
  reason: string;
  messageId?: string | null;
  actor: AuditActor;
  /** Survivorship: the values the winner keeps. Default: the winner's, gaps filled from the loser. */
  choose?: (winner: ContactRow, loser: ContactRow) => ContactValues;
  /** Details added to the audit entry (e.g. the dedupe pair and its score). */
  auditDetails?: Record<string, unknown>;
}

export interface ContactMergeResult {
  mergeId: string;
  movedRows: Record<string, number>;
  fieldChanges: ContactFieldChanges;
}

/**
 * The one contact merge of Keel: moves every row that references the loser (through
 * CONTACT_REFERENCES), applies the survivorship choice to the winner, deletes the loser,
 * records both snapshots and every moved key in contact_merges, and audits it. Run it in
 * the caller's transaction.
 */
export async function mergeContactPair(db: Kysely<Database>, workspaceId: string, request: ContactMergeRequest, references: readonly ContactReference[] = CONTACT_REFERENCES): Promise<ContactMergeResult | undefined> {
  const { winnerId, loserId } = request;
  if (winnerId === loserId) throw new AppError('invalid', `Cannot merge contact ${winnerId} into itself`);
  const loserIdentities = await q.selectIdentitiesOfContact(db, workspaceId, loserId);
  const movedRows: Record<string, unknown[]> = {};
  for (const reference of references) movedRows[reference.table] = await reference.move(db, workspaceId, loserId, winnerId, request.actor);
  const merged = await mergeContacts(db, workspaceId, winnerId, loserId, request.choose);
  if (!merged) return undefined;
  const counts = Object.fromEntries(Object.entries(movedRows).map(([t, keys]) => [t, keys.length]));
  const mergeId = await q.insertMergeRecord(db, workspaceId, {
    winnerId,
    loserId,
    reason: request.reason,
    messageId: request.messageId ?? null,
    winnerSnapshot: merged.winner,
    loserSnapshot: { ...merged.loser, identities: loserIdentities },
    fieldChanges: merged.changes,
    movedRows,
    identitiesMoved: counts.identities ?? 0,
    eventsMoved: counts.events ?? 0,
  });
  await recordAudit(db, {
    workspaceId,
    actor: request.actor,
    action: 'contact.merged',
    objectType: 'contact',
    objectId: winnerId,
    // No reason here: it quotes identifiers (personal data), and this log is append-only;
    // the merge record (erasable) keeps it.
    details: { merge_id: mergeId, loser_id: loserId, moved_rows: counts, fields_changed: Object.keys(merged.changes), ...request.auditDetails },
  });
  return { mergeId, movedRows: counts, fieldChanges: merged.changes };
}

export interface ContactUndoResult {
  mergeId: string;
  winnerId: string;
  loserId: string;
  restoredRows: Record<string, number>;
  /** Columns of the survivor that changed again after the merge and so were left as they are. */
  keptNewerValues: string[];
}

/**
 * Undoes a contact merge exactly: the loser comes back with its id and values, every row
 * the merge moved goes back to it, and the survivor's columns return to their values
 * before the merge (unless they changed again since). Refused when a later merge took
 * the survivor away (undo that one first) or the merge was recorded without moved keys.
 */
export async function undoContactMerge(db: Kysely<Database>, workspaceId: string, mergeId: string, actor: AuditActor, references: readonly ContactReference[] = CONTACT_REFERENCES): Promise<ContactUndoResult> {
  const merge = await q.selectMerge(db, workspaceId, mergeId);
  if (!merge) throw new AppError('not_found', `Contact merge ${mergeId} not found`);
  if (merge.undone_at) throw new AppError('conflict', `Contact merge ${mergeId} was already undone at ${merge.undone_at.toISOString()}`);
  if (!merge.winner_snapshot) throw new AppError('conflict', `Contact merge ${mergeId} was recorded before merges could be undone (no moved rows kept)`);
  const later = await q.selectActiveMergeOfLoser(db, workspaceId, merge.winner_id);
  if (later) throw new AppError('conflict', `Contact ${merge.winner_id} was merged into ${later.winner_id} by merge ${later.id}: undo merge ${later.id} first`);
  const { identities: _, ...loser } = merge.loser_snapshot as unknown as ContactRow & { identities: unknown };
  await reinsertContact(db, workspaceId, { ...loser, created_at: new Date(loser.created_at), updated_at: new Date(loser.updated_at) });
  const restoredRows: Record<string, number> = {};
  for (const reference of [...references].reverse()) {
    const keys = merge.moved_rows[reference.table] ?? [];
    await reference.restore(db, workspaceId, keys, merge.winner_id, merge.loser_id, actor);
    restoredRows[reference.table] = keys.length;
  }
  const keptNewerValues = await revertContactFields(db, workspaceId, merge.winner_id, merge.field_changes as ContactFieldChanges);
  await q.updateMergeUndone(db, workspaceId, mergeId, `${actor.kind}:${actor.id}`);
  await recordAudit(db, {
    workspaceId,
    actor,
    action: 'contact.merge_undone',
    objectType: 'contact',
    objectId: merge.loser_id,
    details: { merge_id: mergeId, winner_id: merge.winner_id, restored_rows: restoredRows, kept_newer_values: keptNewerValues },
  });
  return { mergeId, winnerId: merge.winner_id, loserId: merge.loser_id, restoredRows, keptNewerValues };
}

export const listContactMerges = (db: Kysely<Database>, workspaceId: string, limit: number, beforeId?: string) => q.selectMerges(db, workspaceId, limit, beforeId);
