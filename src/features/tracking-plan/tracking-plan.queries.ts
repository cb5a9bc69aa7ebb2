import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export async function selectCurrentVersion(db: Q, workspaceId: string): Promise<number | undefined> {
  const row = await db.selectFrom('tracking_plans').select('version').where('workspace_id', '=', workspaceId).orderBy('version', 'desc').limit(1).executeTakeFirst();
  return row?.version;
}

export async function selectPlanVersion(db: Q, workspaceId: string, version: number) {
  return db
    .selectFrom('tracking_plans')
    .select(['version', 'source_yaml', 'plan', 'applied_at', 'applied_by'])
    .where('workspace_id', '=', workspaceId)
    .where('version', '=', version)
    .executeTakeFirst();
}

export async function selectPlanVersions(db: Q, workspaceId: string) {
  return db.selectFrom('tracking_plans').select(['version', 'applied_at', 'applied_by']).where('workspace_id', '=', workspaceId).orderBy('version', 'desc').execute();
}

export async function insertPlanVersion(db: Q, row: { workspaceId: string; version: number; source: string; plan: unknown; appliedBy: string }): Promise<void> {
  await db
    .insertInto('tracking_plans')
    .values({ workspace_id: row.workspaceId, version: row.version, source_yaml: row.source, plan: JSON.stringify(row.plan), applied_by: row.appliedBy })
    .execute();
}

export interface ViolationInsert {
  plan_version: number;
  message_id: string;
  event_type: string;
  event_name: string | null;
  event_timestamp: string;
  rule: string;
  subject: string;
  field: string | null;
  value: string | null;
  reason: string;
  action: 'flag' | 'block';
}

const INSERT_BATCH = 1000;

export async function insertViolations(db: Q, workspaceId: string, rows: ViolationInsert[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_BATCH) {
    await db
      .insertInto('tracking_plan_violations')
      .values(rows.slice(i, i + INSERT_BATCH).map((r) => ({ ...r, workspace_id: workspaceId })))
      .execute();
  }
}

export interface CountDelta {
  day: string;
  rule: string;
  subject: string;
  action: 'count' | 'flag' | 'block';
  violations: number;
}

export async function addViolationCounts(db: Q, workspaceId: string, deltas: CountDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db
    .insertInto('tracking_plan_violation_counts')
    .values(deltas.map((d) => ({ ...d, workspace_id: workspaceId })))
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'day', 'rule', 'subject', 'action']).doUpdateSet({ violations: sql`tracking_plan_violation_counts.violations + excluded.violations` }),
    )
    .execute();
}

export interface DailyDelta {
  day: string;
  checked: number;
  violating: number;
  blocked: number;
}

export async function addDailyCounts(db: Q, workspaceId: string, deltas: DailyDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db
    .insertInto('tracking_plan_daily')
    .values(deltas.map((d) => ({ ...d, workspace_id: workspaceId })))
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'day']).doUpdateSet({
        checked: sql`tracking_plan_daily.checked + excluded.checked`,
        violating: sql`tracking_plan_daily.violating + excluded.violating`,
        blocked: sql`tracking_plan_daily.blocked + excluded.blocked`,
      }),
    )
    .execute();
}

export interface UnknownDelta {
  kind: 'event' | 'property' | 'trait';
  name: string;
  seen: number;
  first_seen_at: string;
  last_seen_at: string;
  example_message_id: string;
  example_value: string | null;
}

export async function addUnknowns(db: Q, workspaceId: string, deltas: UnknownDelta[]): Promise<void> {
  if (deltas.length === 0) return;
  await db
    .insertInto('tracking_plan_unknowns')
    .values(deltas.map((d) => ({ ...d, workspace_id: workspaceId })))
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'kind', 'name']).doUpdateSet({
        seen: sql`tracking_plan_unknowns.seen + excluded.seen`,
        first_seen_at: sql`least(tracking_plan_unknowns.first_seen_at, excluded.first_seen_at)`,
        last_seen_at: sql`greatest(tracking_plan_unknowns.last_seen_at, excluded.last_seen_at)`,
        // The latest example is the one worth looking at.
        example_message_id: sql`excluded.example_message_id`,
        example_value: sql`excluded.example_value`,
      }),
    )
    .execute();
}

export interface ViolationFilter {
  rule?: string | undefined;
  subject?: string | undefined;
  beforeId?: string | undefined;
  limit: number;
}

export async function selectViolations(db: Q, workspaceId: string, f: ViolationFilter) {
  let query = db
    .selectFrom('tracking_plan_violations')
    .select(['id', 'recorded_at', 'plan_version', 'message_id', 'event_type', 'event_name', 'event_timestamp', 'rule', 'subject', 'field', 'value', 'reason', 'action'])
    .where('workspace_id', '=', workspaceId);
  if (f.rule) query = query.where('rule', '=', f.rule);
  if (f.subject) query = query.where('subject', '=', f.subject);
  if (f.beforeId) query = query.where('id', '<', f.beforeId as never);
  return query.orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export interface CountFilter {
  rule?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** Violations per day and rule (subjects summed), oldest day first. */
export async function selectCountsByDay(db: Q, workspaceId: string, f: CountFilter) {
  let query = db
    .selectFrom('tracking_plan_violation_counts')
    .select(['rule', 'action', sql<string>`day::text`.as('day'), sql<string>`sum(violations)::text`.as('violations')])
    .where('workspace_id', '=', workspaceId);
  if (f.rule) query = query.where('rule', '=', f.rule);
  if (f.from) query = query.where('day', '>=', f.from);
  if (f.to) query = query.where('day', '<', f.to);
  return query.groupBy(['day', 'rule', 'action']).orderBy('day').orderBy('rule').limit(10_000).execute();
}

/** Totals per rule and subject since a day: the worst offenders first. */
export async function selectTotalsBySubject(db: Q, workspaceId: string, since: string, limit: number) {
  return db
    .selectFrom('tracking_plan_violation_counts')
    .select(['rule', 'subject', sql<string>`sum(violations)::text`.as('violations')])
    .where('workspace_id', '=', workspaceId)
    .where('day', '>=', since)
    .groupBy(['rule', 'subject'])
    .orderBy(sql`sum(violations)`, 'desc')
    .limit(limit)
    .execute();
}

export async function selectDailyTotals(db: Q, workspaceId: string, since: string) {
  return sql<{ checked: string; violating: string; blocked: string }>`
    select coalesce(sum(checked), 0)::text as checked, coalesce(sum(violating), 0)::text as violating, coalesce(sum(blocked), 0)::text as blocked
    from tracking_plan_daily where workspace_id = ${workspaceId}::uuid and day >= ${since}::date`
    .execute(db)
    .then((r) => r.rows[0]!);
}

/** The latest stored violation of a rule on a subject: the example a report shows. */
export async function selectLatestViolation(db: Q, workspaceId: string, rule: string, subject: string) {
  return db
    .selectFrom('tracking_plan_violations')
    .select(['message_id', 'field', 'value', 'reason'])
    .where('workspace_id', '=', workspaceId)
    .where('rule', '=', rule)
    .where('subject', '=', subject)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function selectUnknowns(db: Q, workspaceId: string, kind: string | undefined, limit: number) {
  let query = db
    .selectFrom('tracking_plan_unknowns')
    .select(['kind', 'name', 'seen', 'first_seen_at', 'last_seen_at', 'example_message_id', 'example_value'])
    .where('workspace_id', '=', workspaceId);
  if (kind) query = query.where('kind', '=', kind as 'event');
  return query.orderBy('seen', 'desc').orderBy('name').limit(limit).execute();
}
