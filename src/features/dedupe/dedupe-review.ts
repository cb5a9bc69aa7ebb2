import type { Kysely } from 'kysely';
import type { Database, DedupeEntity } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { loadCreatedAt } from './dedupe-records.ts';
import { getDedupeSettings, mergeRecords } from './dedupe.service.ts';
import * as q from './dedupe.queries.ts';

export interface ReviewPage {
  items: Awaited<ReturnType<typeof q.selectPendingPairs>>;
  next: { probability: number; id: string } | null;
}

/** Pending pairs, most likely duplicates first, each with its per-field evidence. */
export async function listReviewQueue(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity | undefined, limit: number, after?: { probability: number; id: string }): Promise<ReviewPage> {
  const rows = await q.selectPendingPairs(db, workspaceId, entity, limit + 1, after);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { probability: last.probability, id: last.id } : null };
}

async function pendingPair(db: Kysely<Database>, workspaceId: string, pairId: string) {
  if (!/^\d{1,18}$/.test(pairId)) throw new AppError('invalid', `pair id must be a positive integer, got "${pairId}"`, { field: 'id' });
  const pair = await q.selectPair(db, workspaceId, pairId);
  if (!pair) throw new AppError('not_found', `Dedupe pair ${pairId} not found`);
  if (pair.status !== 'pending') throw new AppError('conflict', `Dedupe pair ${pairId} is ${pair.status}, not pending`);
  return pair;
}

/** A reviewer confirms the pair: the two records merge (older survives) under the survivorship rules. */
export async function acceptPair(db: Kysely<Database>, workspaceId: string, pairId: string, actor: AuditActor) {
  return db.transaction().execute(async (tx) => {
    const pair = await pendingPair(tx, workspaceId, pairId);
    const settings = await getDedupeSettings(tx, workspaceId);
    const createdAt = await loadCreatedAt(tx, workspaceId, pair.entity, [pair.record_a, pair.record_b]);
    if (createdAt.size < 2) {
      await q.updatePairDecision(tx, workspaceId, pairId, 'stale', `${actor.kind}:${actor.id}`, null);
      throw new AppError('conflict', `Dedupe pair ${pairId} is stale: ${pair.entity} ${createdAt.has(pair.record_a) ? pair.record_b : pair.record_a} no longer exists`);
    }
    const [winnerId, loserId] = (createdAt.get(pair.record_a)! <= createdAt.get(pair.record_b)! ? [pair.record_a, pair.record_b] : [pair.record_b, pair.record_a]) as [string, string];
    const outcome = await mergeRecords(tx, workspaceId, pair.entity, { winnerId, loserId }, settings, actor, {
      reason: 'dedupe review: accepted',
      dedupe_pair_id: pairId,
      probability: pair.probability,
    });
    await q.updatePairDecision(tx, workspaceId, pairId, 'merged', `${actor.kind}:${actor.id}`, outcome.mergeId);
    return outcome;
  });
}

/** A reviewer says the two records are different: the pair leaves the queue and later runs keep it apart. */
export async function rejectPair(db: Kysely<Database>, workspaceId: string, pairId: string, actor: AuditActor) {
  return db.transaction().execute(async (tx) => {
    const pair = await pendingPair(tx, workspaceId, pairId);
    await q.updatePairDecision(tx, workspaceId, pairId, 'rejected', `${actor.kind}:${actor.id}`, null);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: 'dedupe_pair.rejected',
      objectType: pair.entity,
      objectId: pair.record_a,
      details: { pair_id: pairId, record_b: pair.record_b, probability: pair.probability },
    });
    return { pair_id: pairId, status: 'rejected' as const };
  });
}
