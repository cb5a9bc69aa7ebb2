import type { Kysely } from 'kysely';
import type { Database, DedupeEntity } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { listContactMerges, mergeContactPair, undoContactMerge } from '../identity/index.ts';
import { mergeAccountPair, undoAccountMerge } from './account-merge.ts';
import { DEFAULT_DEDUPE_SETTINGS, DedupeSettingsSchema, type DedupeSettings } from './dedupe-settings.ts';
import * as q from './dedupe.queries.ts';
import { chooseAccountValues, chooseContactValues } from './survivorship-choices.ts';

/** The workspace's dedupe settings, or the defaults when none were saved. */
export async function getDedupeSettings(db: Kysely<Database>, workspaceId: string): Promise<DedupeSettings> {
  const row = await q.selectSettings(db, workspaceId);
  if (!row) return DEFAULT_DEDUPE_SETTINGS;
  const parsed = DedupeSettingsSchema.safeParse(row.settings);
  return parsed.success ? parsed.data : DEFAULT_DEDUPE_SETTINGS;
}

/** Validates and saves the settings, audited as a configuration change. */
export async function saveDedupeSettings(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor): Promise<DedupeSettings> {
  const parsed = DedupeSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'settings';
    throw new AppError('invalid', `Dedupe settings: ${field}: ${issue.message}`, { field });
  }
  const before = await getDedupeSettings(db, workspaceId);
  await db.transaction().execute(async (tx) => {
    await q.upsertSettings(tx, workspaceId, parsed.data);
    await recordAudit(tx, { workspaceId, actor, action: 'dedupe_settings.updated', objectType: 'dedupe_settings', objectId: workspaceId, details: { before, after: parsed.data } });
  });
  return parsed.data;
}

export interface MergeOutcome {
  entity: DedupeEntity;
  mergeId: string;
  winnerId: string;
  loserId: string;
  movedRows: Record<string, number>;
  fieldsChanged: string[];
}

/** Merges two records of a workspace under its survivorship rules (inside the caller's transaction). */
export async function mergeRecords(
  db: Kysely<Database>,
  workspaceId: string,
  entity: DedupeEntity,
  pair: { winnerId: string; loserId: string },
  settings: DedupeSettings,
  actor: AuditActor,
  details: Record<string, unknown>,
): Promise<MergeOutcome> {
  const reason = typeof details.reason === 'string' ? details.reason : 'dedupe';
  if (entity === 'contact') {
    const merged = await mergeContactPair(db, workspaceId, { ...pair, reason, actor, choose: chooseContactValues(settings), auditDetails: details });
    if (!merged) throw new AppError('not_found', `Contact ${pair.winnerId} or ${pair.loserId} no longer exists (merged or deleted)`);
    return { entity, mergeId: merged.mergeId, ...pair, movedRows: merged.movedRows, fieldsChanged: Object.keys(merged.fieldChanges) };
  }
  const merged = await mergeAccountPair(db, workspaceId, { ...pair, reason, actor, choose: chooseAccountValues(settings), auditDetails: details });
  return { entity, mergeId: merged.mergeId, ...pair, movedRows: merged.movedRows, fieldsChanged: Object.keys(merged.fieldChanges) };
}

/**
 * Undoes a merge exactly (the merged-away record, its rows and the survivor's values come
 * back) and marks the dedupe pair that caused it as rejected, so that the next run does
 * not merge it again.
 */
export async function undoMerge(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity, mergeId: string, actor: AuditActor) {
  if (!/^\d{1,18}$/.test(mergeId)) throw new AppError('invalid', `merge id must be a positive integer, got "${mergeId}"`, { field: 'id' });
  return db.transaction().execute(async (tx) => {
    const result = entity === 'contact' ? await undoContactMerge(tx, workspaceId, mergeId, actor) : await undoAccountMerge(tx, workspaceId, mergeId, actor);
    await q.updatePairsOfMerge(tx, workspaceId, entity, mergeId, `undo:${actor.kind}:${actor.id}`);
    return { entity, ...result };
  });
}

export async function listMerges(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity, limit: number, beforeId?: string) {
  if (entity === 'contact') return listContactMerges(db, workspaceId, limit, beforeId);
  return (await q.selectAccountMerges(db, workspaceId, limit, beforeId)).map(({ moved_rows, ...m }) => ({
    ...m,
    moved_rows: Object.fromEntries(Object.entries(moved_rows).map(([t, keys]) => [t, keys.length])),
  }));
}

export const listDedupeRuns = (db: Kysely<Database>, workspaceId: string, limit: number, beforeId?: string) => q.selectRuns(db, workspaceId, limit, beforeId);

/**
 * Seam for data health: duplicates still in the data are the records the pending review
 * queue would merge away; merged pairs are already resolved and are named in the method.
 */
export async function countDuplicateRecords(db: Kysely<Database>, workspaceId: string): Promise<{ contacts: number; accounts: number; method: string } | undefined> {
  // Before the first run dedupe knows nothing: "0 duplicates" would be a false all-clear.
  if ((await q.selectRuns(db, workspaceId, 1)).length === 0) return undefined;
  const rows = await q.countDuplicatePairs(db, workspaceId);
  const of = (entity: DedupeEntity) => rows.find((r) => r.entity === entity);
  const merged = rows.reduce((n, r) => n + Number(r.merged_pairs), 0);
  return {
    contacts: Number(of('contact')?.pending_records ?? 0),
    accounts: Number(of('account')?.pending_records ?? 0),
    method: `dedupe (Fellegi-Sunter): records in pending review pairs; ${merged} pair(s) merged so far are not counted`,
  };
}
