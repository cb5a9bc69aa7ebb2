import { sql, type Kysely } from 'kysely';
import type { Database, StageDimension } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { readsOf, type PassScope } from './change-sets.ts';
import { compileCondition, type CompileContext } from './conditions.queries.ts';
import type { Condition } from './conditions.ts';
import { decideEngagement, decideLifecycle, parseStageRules, type StageMove, type StageRules } from './stage-rules.ts';
import * as q from './stages.queries.ts';
import { compileContextOf, loadCompileContext, type SegmentRow } from './segments.service.ts';

/** Validates stage rules against the workspace and saves them, audited. */
export async function saveStageRules(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor): Promise<StageRules> {
  const rules = parseStageRules(input);
  compileStagePredicates(rules, await loadCompileContext(db, workspaceId, new Date()), undefined);
  await q.upsertStageRules(db, workspaceId, rules as Record<string, unknown>);
  await recordAudit(db, { workspaceId, actor, action: 'stage_rules.updated', objectType: 'stage_rules', objectId: null, details: { definition: rules } });
  return rules;
}

function compileStagePredicates(rules: StageRules, ctx: CompileContext, scope: readonly string[] | undefined) {
  const on = { subject: 'contact' as const, alias: 'x', scope };
  return {
    lifecycle: (rules.lifecycle ?? []).map((r, i) => compileCondition(r.when, on, ctx, `lifecycle[${i}].when`)),
    engagement: (rules.engagement ?? []).map((r, i) => (r.when ? compileCondition(r.when, on, ctx, `engagement[${i}].when`) : sql`true`)),
  };
}

export async function getStageRules(db: Kysely<Database>, workspaceId: string): Promise<StageRules | null> {
  const row = await q.selectStageRules(db, workspaceId);
  return row ? (row.definition as StageRules) : null;
}

/**
 * Moves contacts to the stage their rules give: all contacts, or in an incremental pass
 * those whose changes a dimension's rules read. Returns the moves.
 */
export async function computeStages(
  db: Kysely<Database>,
  workspaceId: string,
  options: { now?: Date; pass?: PassScope; rules?: { stageRules: StageRules | null; segments: SegmentRow[]; models: Array<{ id: string; name: string }> } } = {},
): Promise<number> {
  const rules = options.rules ? options.rules.stageRules : await getStageRules(db, workspaceId);
  if (!rules) return 0;
  const now = options.now ?? new Date();
  const ctx = options.rules ? compileContextOf(workspaceId, now, options.rules) : await loadCompileContext(db, workspaceId, now);
  let moved = 0;
  for (const dimension of ['lifecycle', 'engagement'] as StageDimension[]) {
    const list: ReadonlyArray<{ when?: Condition | undefined }> = rules[dimension] ?? [];
    if (list.length === 0) continue;
    const reads = new Set(list.flatMap((r) => [...readsOf(r.when)]));
    const scope = options.pass?.contactsDue(reads);
    if (scope && scope.length === 0) continue;
    const predicates = compileStagePredicates(rules, ctx, scope)[dimension];
    const rows = await q.evaluateStageRules(db, { workspaceId, dimension, predicates, scope });
    const moves: StageMove[] = [];
    for (const row of rows) {
      const next = dimension === 'lifecycle' ? decideLifecycle(rules.lifecycle!, row.stage, row.hits) : decideEngagement(rules.engagement!, row.stage, row.hits);
      if (next !== null && next !== row.stage) moves.push({ contactId: row.id, from: row.stage, to: next });
    }
    await q.writeStageMoves(db, workspaceId, dimension, moves, now);
    if (scope) options.pass!.contactsChanged(scope, 'stage');
    moved += moves.length;
  }
  return moved;
}

export const getStagesOfContact = q.selectStagesOfContact;
export const listStageHistory = q.selectStageHistory;
export const countContactsByStage = q.countByStage;

/**
 * Moves one contact to a stage by hand (a journey's "update stage" step), logged in the
 * stage history like a rule's move. The next rule evaluation may move it again.
 */
export async function setContactStage(db: Kysely<Database>, workspaceId: string, contactId: string, dimension: StageDimension, stage: string, now = new Date()): Promise<boolean> {
  const current = (await q.selectStagesOfContact(db, workspaceId, contactId)).find((s) => s.dimension === dimension);
  if (current?.stage === stage) return false;
  await q.writeStageMoves(db, workspaceId, dimension, [{ contactId, from: current?.stage ?? null, to: stage }], now);
  return true;
}
export const listStageMovesAfter = q.selectStageMovesAfter;
export const getLastStageMoveId = q.selectLastStageMoveId;
