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

export interface CountDelta {
  day: string;
  rule: string;
  subject: string;
  action: 'count' | 'flag' | 'block';
  violations: number;
}

export interface DailyDelta {
  day: string;
  checked: number;
  violating: number;
  blocked: number;
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

export interface ChunkFindings {
  daily: DailyDelta[];
  counts: CountDelta[];
  violations: ViolationInsert[];
  unknowns: UnknownDelta[];
}

/**
 * Writes what one chunk found in one statement: each table's rows travel as one JSON
 * parameter (a chunk spans ~100 event days, and a VALUES list with a parameter per cell
 * took PGlite about three times as long per chunk, measured), and the four writes share one round trip. Keys are unique
 * within each list (the caller aggregates), as ON CONFLICT DO UPDATE requires.
 */
export async function insertChunkFindings(db: Q, workspaceId: string, f: ChunkFindings): Promise<void> {
  await sql`
    with daily as (
      insert into tracking_plan_daily (workspace_id, day, checked, violating, blocked)
      select ${workspaceId}::uuid, d.day, d.checked, d.violating, d.blocked
      from jsonb_to_recordset(${JSON.stringify(f.daily)}::jsonb) as d(day date, checked bigint, violating bigint, blocked bigint)
      on conflict (workspace_id, day) do update set
        checked = tracking_plan_daily.checked + excluded.checked,
        violating = tracking_plan_daily.violating + excluded.violating,
        blocked = tracking_plan_daily.blocked + excluded.blocked
    ), counts as (
      insert into tracking_plan_violation_counts (workspace_id, day, rule, subject, action, violations)
      select ${workspaceId}::uuid, c.day, c.rule, c.subject, c.action, c.violations
      from jsonb_to_recordset(${JSON.stringify(f.counts)}::jsonb) as c(day date, rule text, subject text, action text, violations bigint)
      on conflict (workspace_id, day, rule, subject, action) do update set violations = tracking_plan_violation_counts.violations + excluded.violations
    ), unknowns as (
      insert into tracking_plan_unknowns (workspace_id, kind, name, seen, first_seen_at, last_seen_at, example_message_id, example_value)
      select ${workspaceId}::uuid, u.kind, u.name, u.seen, u.first_seen_at, u.last_seen_at, u.example_message_id, u.example_value
      from jsonb_to_recordset(${JSON.stringify(f.unknowns)}::jsonb)
        as u(kind text, name text, seen bigint, first_seen_at timestamptz, last_seen_at timestamptz, example_message_id text, example_value text)
      on conflict (workspace_id, kind, name) do update set
        seen = tracking_plan_unknowns.seen + excluded.seen,
        first_seen_at = least(tracking_plan_unknowns.first_seen_at, excluded.first_seen_at),
        last_seen_at = greatest(tracking_plan_unknowns.last_seen_at, excluded.last_seen_at),
        -- the latest example is the one worth looking at
        example_message_id = excluded.example_message_id,
        example_value = excluded.example_value
    )
    insert into tracking_plan_violations
      (workspace_id, plan_version, message_id, event_type, event_name, event_timestamp, rule, subject, field, value, reason, action)
    select ${workspaceId}::uuid, v.plan_version, v.message_id, v.event_type, v.event_name, v.event_timestamp, v.rule, v.subject, v.field, v.value, v.reason, v.action
    from jsonb_to_recordset(${JSON.stringify(f.violations)}::jsonb)
      as v(plan_version int, message_id text, event_type text, event_name text, event_timestamp timestamptz, rule text, subject text, field text, value text, reason text, action text)`.execute(db);
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
