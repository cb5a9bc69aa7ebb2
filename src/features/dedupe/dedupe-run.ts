import type { Kysely } from 'kysely';
import type { Database, DedupeEntity } from '../../platform/db/schema.ts';
import type { AuditActor } from '../audit/index.ts';
import { getEnrichmentSettings } from '../enrichment/index.ts';
import { getAllIdentitiesOf } from '../identity/index.ts';
import { LEVEL_NAMES } from './engine/field-spec.ts';
import { selectAutoMergePairs } from './engine/auto-merge.ts';
import { explainPattern, matchRecords, selectScoredPairs, type MatchRun, type ScoredPair } from './engine/match-records.ts';
import { loadStoredRecords, orderSurvivor } from './dedupe-records.ts';
import { getDedupeSettings, mergeRecords, type MergeOutcome } from './dedupe.service.ts';
import * as q from './dedupe.queries.ts';

export interface DedupeRunOptions {
  dryRun: boolean;
  actor: AuditActor;
}

export interface PairPreview {
  record_a: string;
  record_b: string;
  probability: number;
  weight: number;
  action: 'merge' | 'review';
  evidence: ReturnType<typeof explainPattern>;
}

export interface DedupeRunSummary {
  run_id: string | null;
  entity: DedupeEntity;
  dry_run: boolean;
  records: number;
  candidate_pairs: number;
  all_pairs: number;
  above_auto_merge: number;
  in_review_band: number;
  merged: number;
  queued: number;
  thresholds: { auto_merge: number | null; review: number };
  model: { em: string; lambda: number; fields: Array<{ field: string; kind: string; levels: Array<{ level: string; m: number; u: number; weight: number }> }> };
  millis: number;
  /** The best-scoring pairs (up to 20), with their evidence. */
  top_pairs: PairPreview[];
}

function describeModel(run: MatchRun): DedupeRunSummary['model'] {
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  return {
    em: run.stats.em,
    lambda: round(run.model.lambda),
    fields: run.records.columns.map((column, f) => ({
      field: column.spec.name,
      kind: column.spec.kind,
      levels: run.model.m[f]!.map((m, l) => {
        const u = run.model.u[f]![l]!;
        return { level: LEVEL_NAMES[column.spec.kind][l]!, m: round(m), u: round(u), weight: round(Math.log2(m / u)) };
      }),
    })),
  };
}

/**
 * Deduplicates a workspace's contacts or accounts: block, score, then merge the pairs at
 * or above the auto-merge threshold (each merge recorded, undoable, audited) and queue the
 * pairs between the thresholds for review with their evidence. A dry run writes nothing.
 */
export async function runDedupe(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity, options: DedupeRunOptions): Promise<DedupeRunSummary> {
  const started = performance.now();
  const settings = await getDedupeSettings(db, workspaceId);
  const stored = await loadStoredRecords(db, workspaceId, entity);
  const { extraFreeMailDomains } = await getEnrichmentSettings(db, workspaceId);
  const run = matchRecords(stored.records, stored.fields, { maxBlockSize: settings.max_block_size, extraFreeMailDomains });
  const rejected = await q.selectRejectedPairKeys(db, workspaceId, entity);
  const ids = run.records.ids;
  const pairKey = (p: ScoredPair) => (ids[p.a]! < ids[p.b]! ? `${ids[p.a]}|${ids[p.b]}` : `${ids[p.b]}|${ids[p.a]}`);
  const scored = selectScoredPairs(run, settings.review_threshold).filter((p) => !rejected.has(pairKey(p)));
  const pairs = await dropUserIdConflicts(db, workspaceId, entity, ids, scored);
  const threshold = settings.auto_merge_threshold;
  const auto = threshold === null ? [] : selectAutoMergePairs(pairs, threshold);
  const autoSet = new Set(auto);
  const autoMerge = (p: ScoredPair) => autoSet.has(p);
  const review = pairs.filter((p) => !autoMerge(p));
  const preview = (p: ScoredPair, action: PairPreview['action']): PairPreview => ({
    record_a: ids[p.a]!,
    record_b: ids[p.b]!,
    probability: p.probability,
    weight: p.weight,
    action,
    evidence: explainPattern(run, p.pattern, p.a, p.b),
  });
  const summary: DedupeRunSummary = {
    run_id: null,
    entity,
    dry_run: options.dryRun,
    records: run.stats.records,
    candidate_pairs: run.stats.candidatePairs,
    all_pairs: run.stats.allPairs,
    above_auto_merge: auto.length,
    in_review_band: review.length,
    merged: 0,
    queued: 0,
    thresholds: { auto_merge: settings.auto_merge_threshold, review: settings.review_threshold },
    model: describeModel(run),
    millis: 0,
    top_pairs: pairs.slice(0, 20).map((p) => preview(p, autoMerge(p) ? 'merge' : 'review')),
  };
  if (options.dryRun) return { ...summary, millis: Math.round(performance.now() - started) };

  await db.transaction().execute(async (tx) => {
    const runId = await q.insertRun(tx, workspaceId, {
      entity, dryRun: false, records: summary.records, candidatePairs: summary.candidate_pairs, allPairs: summary.all_pairs,
      autoMerged: 0, queued: 0, model: summary.model, thresholds: summary.thresholds, millis: 0,
    });
    const merged = await mergeAutoPairs(tx, workspaceId, entity, run, auto, stored.createdAt, runId, options.actor);
    await q.upsertPairs(tx, workspaceId, entity, runId, [
      ...merged.map(({ pair, outcome }) => toPairRow(run, pair, 'merged', outcome.mergeId)),
      ...review.map((p) => toPairRow(run, p, 'pending', null)),
    ]);
    await q.updateStalePairs(tx, workspaceId, entity);
    const queued = (await q.selectPendingPairs(tx, workspaceId, entity, 1_000_000)).length;
    await q.updateRunCounts(tx, workspaceId, runId, merged.length, queued);
    Object.assign(summary, { run_id: runId, merged: merged.length, queued });
  });
  return { ...summary, millis: Math.round(performance.now() - started) };
}

function toPairRow(run: MatchRun, p: ScoredPair, status: 'merged' | 'pending', mergeId: string | null): q.PairUpsert {
  const a = run.records.ids[p.a]!;
  const b = run.records.ids[p.b]!;
  const [recordA, recordB] = a < b ? [a, b] : [b, a];
  const evidence = explainPattern(run, p.pattern, a < b ? p.a : p.b, a < b ? p.b : p.a);
  return { recordA, recordB, probability: p.probability, weight: p.weight, evidence, status, mergeId };
}

/**
 * Merges the auto-merge pairs, best first. A record already merged away in this run is
 * followed to its survivor, so chains (a~b, b~c) end in one record and no pair merges twice.
 */
async function mergeAutoPairs(
  db: Kysely<Database>,
  workspaceId: string,
  entity: DedupeEntity,
  run: MatchRun,
  pairs: ScoredPair[],
  createdAt: ReadonlyMap<string, number>,
  runId: string,
  actor: AuditActor,
): Promise<Array<{ pair: ScoredPair; outcome: MergeOutcome }>> {
  const settings = await getDedupeSettings(db, workspaceId);
  const survivorOf = new Map<string, string>();
  const resolve = (id: string): string => {
    let current = id;
    while (survivorOf.has(current)) current = survivorOf.get(current)!;
    return current;
  };
  const out: Array<{ pair: ScoredPair; outcome: MergeOutcome }> = [];
  for (const pair of pairs) {
    const a = resolve(run.records.ids[pair.a]!);
    const b = resolve(run.records.ids[pair.b]!);
    if (a === b) continue;
    const order = orderSurvivor(createdAt, a, b);
    const outcome = await mergeRecords(db, workspaceId, entity, order, settings, actor, {
      reason: 'dedupe auto-merge',
      dedupe_run_id: runId,
      probability: pair.probability,
    });
    survivorOf.set(order.loserId, order.winnerId);
    out.push({ pair, outcome });
  }
  return out;
}

/**
 * Two contacts that each carry a userId (a different one, or they would be one contact) are
 * two people by the identity rules that ingest follows too: whatever their names and
 * companies share, such a pair is neither merged nor queued.
 */
async function dropUserIdConflicts(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity, ids: readonly string[], pairs: ScoredPair[]): Promise<ScoredPair[]> {
  if (entity !== 'contact' || pairs.length === 0) return pairs;
  const involved = [...new Set(pairs.flatMap((p) => [ids[p.a]!, ids[p.b]!]))];
  const withUserId = new Set<string>();
  for (const row of await getAllIdentitiesOf(db, workspaceId, involved)) if (row.kind === 'user_id') withUserId.add(row.contact_id);
  return pairs.filter((p) => !(withUserId.has(ids[p.a]!) && withUserId.has(ids[p.b]!)));
}

