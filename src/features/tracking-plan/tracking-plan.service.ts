import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError, rethrowConflict } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { forgetCompiledPlan } from './plan-check.ts';
import * as q from './tracking-plan.queries.ts';
import { parseTrackingPlanYaml } from './tracking-plan-yaml.ts';
import type { TrackingPlan } from './tracking-plan.schema.ts';

export interface AppliedPlan {
  version: number;
  /** False when the YAML was the same as the plan in force: no new version is made. */
  changed: boolean;
  events: number;
  identifyTraits: number;
  groupTraits: number;
}

/**
 * Validates tracking-plan YAML and makes it the workspace's plan in force as a new version,
 * recorded in the audit log in the same transaction. The ingest processor checks events
 * against it from its next chunk on.
 *
 * @example
 * await applyTrackingPlan(db, workspaceId, readFileSync('plan.yaml', 'utf8'), cliActor());
 */
export async function applyTrackingPlan(db: Kysely<Database>, workspaceId: string, source: string, actor: AuditActor, file?: string): Promise<AppliedPlan> {
  const plan = parseTrackingPlanYaml(source, file);
  const summary = { events: plan.events?.length ?? 0, identifyTraits: countTraits(plan, 'identify'), groupTraits: countTraits(plan, 'group') };
  const applied = await db.transaction().execute(async (trx) => {
    const current = await q.selectCurrentVersion(trx, workspaceId);
    if (current !== undefined) {
      const row = await q.selectPlanVersion(trx, workspaceId, current);
      if (row?.source_yaml === source) return { version: current, changed: false, ...summary };
    }
    const version = (current ?? 0) + 1;
    try {
      await q.insertPlanVersion(trx, { workspaceId, version, source, plan, appliedBy: `${actor.kind}:${actor.id}` });
    } catch (error) {
      rethrowConflict(error, `tracking plan version ${version} was applied by someone else at the same time; apply again`);
    }
    await recordAudit(trx, {
      workspaceId,
      actor,
      action: 'tracking_plan.applied',
      objectType: 'tracking_plan',
      objectId: String(version),
      details: { version, previous_version: current ?? null, ...summary, rules: plan.rules ?? {} },
    });
    return { version, changed: true, ...summary };
  });
  forgetCompiledPlan(workspaceId);
  return applied;
}

const countTraits = (plan: TrackingPlan, kind: 'identify' | 'group') => Object.keys(plan.traits?.[kind]?.properties ?? {}).length;

/** The plan in force (or a given version), with its YAML as applied. */
export async function getTrackingPlan(db: Kysely<Database>, workspaceId: string, version?: number) {
  const wanted = version ?? (await q.selectCurrentVersion(db, workspaceId));
  if (wanted === undefined) throw new AppError('not_found', 'No tracking plan applied in this workspace yet: every event passes unchecked');
  const row = await q.selectPlanVersion(db, workspaceId, wanted);
  if (!row) throw new AppError('not_found', `Tracking plan version ${wanted} not found`);
  return row;
}

export const listTrackingPlanVersions = (db: Kysely<Database>, workspaceId: string) => q.selectPlanVersions(db, workspaceId);

/** Stored violations (flag and block), newest first; one more row than `limit` means a next page. */
export const listViolations = (db: Kysely<Database>, workspaceId: string, filter: q.ViolationFilter) => q.selectViolations(db, workspaceId, filter);

/** Violations counted per day and rule (every action but allow). */
export const countViolationsByDay = (db: Kysely<Database>, workspaceId: string, filter: q.CountFilter) => q.selectCountsByDay(db, workspaceId, filter);

/** Unknown events, properties and traits with how often they were seen and an example. */
export const listUnknowns = (db: Kysely<Database>, workspaceId: string, kind: 'event' | 'property' | 'trait' | undefined, limit: number) =>
  q.selectUnknowns(db, workspaceId, kind, limit);

export interface ViolationSummary {
  /** Events checked against a plan since the day given. */
  checked: number;
  /** Events with at least one violation that is not allowed. */
  violating: number;
  blocked: number;
  /** Rules and subjects with the most violations, with the latest stored example. */
  worst: Array<{ rule: string; subject: string; violations: number; example: { message_id: string; field: string | null; value: string | null; reason: string } | null }>;
}

/** The tracking-plan figures of the data-health report. */
export async function summarizeViolations(db: Kysely<Database>, workspaceId: string, sinceDay: string, top = 5): Promise<ViolationSummary> {
  const totals = await q.selectDailyTotals(db, workspaceId, sinceDay);
  const worstRows = await q.selectTotalsBySubject(db, workspaceId, sinceDay, top);
  const worst = await Promise.all(
    worstRows.map(async (r) => ({ rule: r.rule, subject: r.subject, violations: Number(r.violations), example: (await q.selectLatestViolation(db, workspaceId, r.rule, r.subject)) ?? null })),
  );
  return { checked: Number(totals.checked), violating: Number(totals.violating), blocked: Number(totals.blocked), worst };
}
