import { sql, type Kysely } from 'kysely';
import type { Database, DedupeEntity, DedupePairStatus } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export async function selectSettings(db: Q, workspaceId: string) {
  return db.selectFrom('dedupe_settings').select(['settings', 'updated_at']).where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export async function upsertSettings(db: Q, workspaceId: string, settings: Record<string, unknown>) {
  await db
    .insertInto('dedupe_settings')
    .values({ workspace_id: workspaceId, settings: JSON.stringify(settings) })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ settings: JSON.stringify(settings), updated_at: new Date() }))
    .execute();
}

export interface RunInsert {
  entity: DedupeEntity;
  dryRun: boolean;
  records: number;
  candidatePairs: number;
  allPairs: number;
  autoMerged: number;
  queued: number;
  model: Record<string, unknown>;
  thresholds: Record<string, unknown>;
  millis: number;
}

export async function insertRun(db: Q, workspaceId: string, r: RunInsert): Promise<string> {
  const row = await db
    .insertInto('dedupe_runs')
    .values({
      workspace_id: workspaceId,
      entity: r.entity,
      dry_run: r.dryRun,
      records: r.records,
      candidate_pairs: r.candidatePairs,
      all_pairs: r.allPairs,
      auto_merged: r.autoMerged,
      queued: r.queued,
      model: JSON.stringify(r.model),
      thresholds: JSON.stringify(r.thresholds),
      millis: r.millis,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateRunCounts(db: Q, workspaceId: string, id: string, autoMerged: number, queued: number) {
  await db.updateTable('dedupe_runs').set({ auto_merged: autoMerged, queued }).where('workspace_id', '=', workspaceId).where('id', '=', id as never).execute();
}

export async function selectRuns(db: Q, workspaceId: string, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('dedupe_runs')
    .select(['id', 'entity', 'dry_run', 'records', 'candidate_pairs', 'all_pairs', 'auto_merged', 'queued', 'thresholds', 'millis', 'created_at'])
    .where('workspace_id', '=', workspaceId);
  if (beforeId) query = query.where('id', '<', beforeId as never);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export interface PairUpsert {
  recordA: string;
  recordB: string;
  probability: number;
  weight: number;
  evidence: unknown[];
  status: DedupePairStatus;
  mergeId: string | null;
}

/**
 * Stores pairs of a run. A pair a person already decided (rejected) or that was merged
 * keeps its status; a pending one gets the new score and evidence. Returns the ids.
 */
export async function upsertPairs(db: Q, workspaceId: string, entity: DedupeEntity, runId: string, pairs: PairUpsert[]): Promise<void> {
  for (let start = 0; start < pairs.length; start += 1000) {
    const chunk = pairs.slice(start, start + 1000).map((p) => ({
      a: p.recordA, b: p.recordB, probability: p.probability, weight: p.weight, evidence: p.evidence, status: p.status, merge_id: p.mergeId,
    }));
    await sql`
      insert into dedupe_pairs as d (workspace_id, entity, record_a, record_b, run_id, probability, weight, evidence, status, merge_id, decided_at, decided_by)
      select ${workspaceId}::uuid, ${entity}, t.a, t.b, ${runId}::bigint, t.probability, t.weight, t.evidence, t.status, t.merge_id,
        case when t.status = 'merged' then now() end, case when t.status = 'merged' then 'auto-merge' end
      from json_to_recordset(${JSON.stringify(chunk)}::json) as t(a uuid, b uuid, probability float8, weight float8, evidence jsonb, status text, merge_id bigint)
      on conflict (workspace_id, entity, record_a, record_b) do update set
        run_id = excluded.run_id, probability = excluded.probability, weight = excluded.weight, evidence = excluded.evidence,
        status = case when d.status in ('rejected', 'merged') and excluded.status = 'pending' then d.status else excluded.status end,
        merge_id = coalesce(excluded.merge_id, d.merge_id),
        decided_at = coalesce(excluded.decided_at, d.decided_at), decided_by = coalesce(excluded.decided_by, d.decided_by)`.execute(db);
  }
}

export async function selectPendingPairs(db: Q, workspaceId: string, entity: DedupeEntity | undefined, limit: number, after?: { probability: number; id: string }) {
  let query = db
    .selectFrom('dedupe_pairs')
    .select(['id', 'entity', 'record_a', 'record_b', 'run_id', 'probability', 'weight', 'evidence', 'status', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'pending');
  if (entity) query = query.where('entity', '=', entity);
  if (after) query = query.where(sql<boolean>`(probability, id) < (${after.probability}::float8, ${after.id}::bigint)`);
  return query.orderBy('probability', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export async function selectPair(db: Q, workspaceId: string, id: string) {
  return db.selectFrom('dedupe_pairs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id as never).executeTakeFirst();
}

export async function updatePairDecision(db: Q, workspaceId: string, id: string, status: DedupePairStatus, by: string, mergeId: string | null) {
  await db
    .updateTable('dedupe_pairs')
    .set({ status, decided_at: new Date(), decided_by: by, ...(mergeId ? { merge_id: mergeId } : {}) })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id as never)
    .execute();
}

/** After an undo, the pair that caused the merge is marked rejected: the next run will not merge it again. */
export async function updatePairsOfMerge(db: Q, workspaceId: string, entity: DedupeEntity, mergeId: string, by: string) {
  await db
    .updateTable('dedupe_pairs')
    .set({ status: 'rejected', decided_at: new Date(), decided_by: by })
    .where('workspace_id', '=', workspaceId)
    .where('entity', '=', entity)
    .where('merge_id', '=', mergeId)
    .execute();
}

/** Pending pairs that name a record which no longer exists (merged away) become stale. */
export async function updateStalePairs(db: Q, workspaceId: string, entity: DedupeEntity) {
  const table = entity === 'contact' ? sql`contacts` : sql`accounts`;
  await sql`
    update dedupe_pairs d set status = 'stale'
    where d.workspace_id = ${workspaceId}::uuid and d.entity = ${entity} and d.status = 'pending'
      and (not exists (select 1 from ${table} r where r.workspace_id = d.workspace_id and r.id = d.record_a)
        or not exists (select 1 from ${table} r where r.workspace_id = d.workspace_id and r.id = d.record_b))`.execute(db);
}

export interface AccountMergeInsert {
  winnerId: string;
  loserId: string;
  reason: string;
  winnerSnapshot: unknown;
  loserSnapshot: unknown;
  fieldChanges: unknown;
  movedRows: Record<string, unknown[]>;
}

export async function insertAccountMerge(db: Q, workspaceId: string, m: AccountMergeInsert): Promise<string> {
  const row = await db
    .insertInto('account_merges')
    .values({
      workspace_id: workspaceId,
      winner_id: m.winnerId,
      loser_id: m.loserId,
      reason: m.reason,
      winner_snapshot: JSON.stringify(m.winnerSnapshot),
      loser_snapshot: JSON.stringify(m.loserSnapshot),
      field_changes: JSON.stringify(m.fieldChanges),
      moved_rows: JSON.stringify(m.movedRows),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function selectAccountMerge(db: Q, workspaceId: string, id: string) {
  return db.selectFrom('account_merges').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id as never).executeTakeFirst();
}

export async function selectActiveAccountMergeOfLoser(db: Q, workspaceId: string, accountId: string) {
  return db
    .selectFrom('account_merges')
    .select(['id', 'winner_id'])
    .where('workspace_id', '=', workspaceId)
    .where('loser_id', '=', accountId)
    .where('undone_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function updateAccountMergeUndone(db: Q, workspaceId: string, id: string, by: string) {
  await db.updateTable('account_merges').set({ undone_at: new Date(), undone_by: by }).where('workspace_id', '=', workspaceId).where('id', '=', id as never).execute();
}

export async function selectAccountMerges(db: Q, workspaceId: string, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('account_merges')
    .select(['id', 'winner_id', 'loser_id', 'reason', 'moved_rows', 'merged_at', 'undone_at', 'undone_by'])
    .where('workspace_id', '=', workspaceId);
  if (beforeId) query = query.where('id', '<', beforeId as never);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Pairs a person (or an undo) rejected: "record_a|record_b". A run never merges or re-queues them. */
export async function selectRejectedPairKeys(db: Q, workspaceId: string, entity: DedupeEntity): Promise<Set<string>> {
  const rows = await db
    .selectFrom('dedupe_pairs')
    .select(['record_a', 'record_b'])
    .where('workspace_id', '=', workspaceId)
    .where('entity', '=', entity)
    .where('status', '=', 'rejected')
    .execute();
  return new Set(rows.map((r) => `${r.record_a}|${r.record_b}`));
}

/**
 * Data health: per entity, the distinct records that are the second of a pending pair (each
 * would go away if the queue were accepted) and the pairs merged so far.
 */
export async function countDuplicatePairs(db: Q, workspaceId: string) {
  return db
    .selectFrom('dedupe_pairs')
    .select((eb) => [
      'entity',
      eb.fn.count<string>('record_b').distinct().filterWhere('status', '=', 'pending').as('pending_records'),
      eb.fn.countAll<string>().filterWhere('status', '=', 'merged').as('merged_pairs'),
    ])
    .where('workspace_id', '=', workspaceId)
    .groupBy('entity')
    .execute();
}
