import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, JourneyRunsTable, JourneyState, JourneyStepRunsTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

const JOURNEY_COLUMNS = ['id', 'key', 'name', 'state', 'current_version', 'trigger_cursor', 'created_at', 'updated_at'] as const;

export const selectJourneyByKey = (db: Q, workspaceId: string, key: string) =>
  db.selectFrom('journeys').select(JOURNEY_COLUMNS).where('workspace_id', '=', workspaceId).where('key', '=', key).executeTakeFirst();

export const selectJourneyById = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('journeys').select(JOURNEY_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export const selectJourneys = (db: Q, workspaceId: string) => db.selectFrom('journeys').select(JOURNEY_COLUMNS).where('workspace_id', '=', workspaceId).orderBy('key').execute();

export const insertJourney = (db: Q, row: { workspace_id: string; key: string; name: string; current_version: number }) =>
  db.insertInto('journeys').values(row).returning(JOURNEY_COLUMNS).executeTakeFirstOrThrow();

export async function updateJourney(db: Q, workspaceId: string, id: string, patch: { state?: JourneyState; current_version?: number; name?: string; trigger_cursor?: Record<string, unknown> }) {
  await db
    .updateTable('journeys')
    .set({ ...patch, ...(patch.trigger_cursor ? { trigger_cursor: JSON.stringify(patch.trigger_cursor) } : {}), updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

/** Live journeys of every workspace, each locked for one scanner (others skip it). */
export const lockLiveJourneys = (db: Q, limit: number) =>
  db.selectFrom('journeys').select(['workspace_id', ...JOURNEY_COLUMNS]).where('state', '=', 'live').orderBy('updated_at').limit(limit).forUpdate().skipLocked().execute();

export const insertVersion = (db: Q, row: { workspace_id: string; journey_id: string; version: number; definition: string }) => db.insertInto('journey_versions').values(row).execute();

export const selectVersion = (db: Q, workspaceId: string, journeyId: string, version: number) =>
  db.selectFrom('journey_versions').select(['version', 'definition', 'created_at']).where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).where('version', '=', version).executeTakeFirst();

export const selectVersionNumbers = (db: Q, workspaceId: string, journeyId: string) =>
  db.selectFrom('journey_versions').select(['version', 'created_at']).where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).orderBy('version').execute();

export type RunRow = Awaited<ReturnType<typeof selectRunForUpdate>>;

export const selectRunForUpdate = (db: Q, workspaceId: string, runId: string) =>
  db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', runId).forUpdate().executeTakeFirst();

export const selectRun = (db: Q, workspaceId: string, runId: string) => db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', runId).executeTakeFirst();

export const insertRun = (db: Q, row: Insertable<JourneyRunsTable>) => db.insertInto('journey_runs').values(row).returningAll().executeTakeFirstOrThrow();

export async function updateRun(db: Q, workspaceId: string, runId: string, patch: Updateable<JourneyRunsTable>) {
  await db.updateTable('journey_runs').set({ ...patch, updated_at: new Date() }).where('workspace_id', '=', workspaceId).where('id', '=', runId).execute();
}

/** The contact's entries into a journey so far: how many, the newest, how many still running. */
export async function selectEntriesOfContact(db: Q, workspaceId: string, journeyId: string, contactId: string) {
  const row = await db
    .selectFrom('journey_runs')
    .select([
      sql<number>`coalesce(max(entry_no), 0)::int`.as('last_entry'),
      sql<Date | null>`max(entered_at)`.as('last_entered_at'),
      sql<number>`count(*) filter (where status in ('active'))::int`.as('active'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .where('contact_id', '=', contactId)
    .executeTakeFirstOrThrow();
  return { lastEntry: Number(row.last_entry), lastEnteredAt: row.last_entered_at ? new Date(row.last_entered_at) : null, active: Number(row.active) };
}

/** Runs of these contacts still in a journey (active, or held out and waiting for the goal). */
export const selectOpenRunsOfContacts = (db: Q, workspaceId: string, journeyId: string, contactIds: readonly string[]) =>
  contactIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('journey_runs')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('journey_id', '=', journeyId)
        .where('contact_id', 'in', [...contactIds])
        .where('status', 'in', ['active', 'held_out'])
        .execute();

/** Active runs whose scheduled job is overdue by more than `graceMs`: their job was lost or exhausted. */
export const selectStalledRuns = (db: Q, before: Date, limit: number) =>
  db.selectFrom('journey_runs').select(['workspace_id', 'id', 'token']).where('status', '=', 'active').where('wake_at', '<', before).orderBy('wake_at').limit(limit).forUpdate().skipLocked().execute();

export const insertStepRun = (db: Q, row: Insertable<JourneyStepRunsTable>) => db.insertInto('journey_step_runs').values(row).execute();

export const selectStepRun = (db: Q, workspaceId: string, runId: string, seq: number) =>
  db.selectFrom('journey_step_runs').selectAll().where('workspace_id', '=', workspaceId).where('run_id', '=', runId).where('seq', '=', seq).executeTakeFirst();

export async function updateStepRun(db: Q, workspaceId: string, runId: string, seq: number, patch: Updateable<JourneyStepRunsTable>) {
  await db.updateTable('journey_step_runs').set(patch).where('workspace_id', '=', workspaceId).where('run_id', '=', runId).where('seq', '=', seq).execute();
}

export const selectStepRunsOfRun = (db: Q, workspaceId: string, runId: string) =>
  db.selectFrom('journey_step_runs').selectAll().where('workspace_id', '=', workspaceId).where('run_id', '=', runId).orderBy('seq').execute();

export const selectRunsOfContact = (db: Q, workspaceId: string, contactId: string, journeyId?: string) => {
  let query = db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId);
  if (journeyId) query = query.where('journey_id', '=', journeyId);
  return query.orderBy('entered_at', 'desc').limit(100).execute();
};

/** Per step: executions by status, for one journey (every version). */
export const countStepRuns = (db: Q, workspaceId: string, journeyId: string) =>
  db
    .selectFrom('journey_step_runs as s')
    .innerJoin('journey_runs as r', (j) => j.onRef('r.workspace_id', '=', 's.workspace_id').onRef('r.id', '=', 's.run_id'))
    .select(['r.version', 's.step_id', 's.status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('s.workspace_id', '=', workspaceId)
    .where('r.journey_id', '=', journeyId)
    .groupBy(['r.version', 's.step_id', 's.status'])
    .execute();

/** Runs by status and where they ended, for one journey. */
export const countRuns = (db: Q, workspaceId: string, journeyId: string) =>
  db
    .selectFrom('journey_runs')
    .select(['version', 'status', 'current_step', 'variant', (eb) => eb.fn.countAll<string>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .groupBy(['version', 'status', 'current_step', 'variant'])
    .execute();

/** Active runs of a journey on a version other than `version` (explicit migration). */
export const selectRunsToMigrate = (db: Q, workspaceId: string, journeyId: string, version: number) =>
  db
    .selectFrom('journey_runs')
    .select(['id', 'version', 'current_step', 'token'])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .where('status', '=', 'active')
    .where('version', '<>', version)
    .forUpdate()
    .execute();

/** Erasure: every run (and, by cascade, step execution) of the person's contacts. */
export async function deleteRunsOfContacts(db: Q, workspaceId: string, contactIds: readonly string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  const result = await db.deleteFrom('journey_runs').where('workspace_id', '=', workspaceId).where('contact_id', 'in', [...contactIds]).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Merge: the loser's runs go to the winner, numbered after the winner's entries; returns the ids moved. */
export async function moveRunsToContact(db: Q, workspaceId: string, from: string, to: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with base as (select coalesce(max(entry_no), 0) as n, journey_id from journey_runs where workspace_id = ${workspaceId}::uuid and contact_id = ${to}::uuid group by journey_id),
    moved as (
      select r.id, coalesce(b.n, 0) + row_number() over (partition by r.journey_id order by r.entry_no) as entry_no
      from journey_runs r left join base b on b.journey_id = r.journey_id
      where r.workspace_id = ${workspaceId}::uuid and r.contact_id = ${from}::uuid)
    update journey_runs r set contact_id = ${to}::uuid, entry_no = moved.entry_no from moved
    where r.workspace_id = ${workspaceId}::uuid and r.id = moved.id returning r.id`.execute(db);
  return result.rows.map((r) => r.id);
}

export async function restoreRunsToContact(db: Q, workspaceId: string, runIds: readonly string[], loser: string): Promise<void> {
  if (runIds.length === 0) return;
  // Entry numbers stay as the merge left them: unique per contact because the loser's rows were numbered after the winner's.
  await db.updateTable('journey_runs').set({ contact_id: loser }).where('workspace_id', '=', workspaceId).where('id', 'in', [...runIds]).execute();
}

/** Held-out runs that entered before `before` (their goal window is over). */
export const selectExpiredHoldouts = (db: Q, workspaceId: string, journeyId: string, before: Date) =>
  db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).where('status', '=', 'held_out').where('entered_at', '<', before).limit(1000).execute();

/** Active runs held by a pause (no job scheduled): resumed at launch. */
export const selectHeldRuns = (db: Q, workspaceId: string, journeyId: string) =>
  db.selectFrom('journey_runs').select(['id', 'token']).where('workspace_id', '=', workspaceId).where('journey_id', '=', journeyId).where('status', '=', 'active').where('wake_at', 'is', null).forUpdate().execute();

/** Every run of a journey with its outcome (the campaign report's conversions, by variant). */
export const selectRunOutcomes = (db: Q, workspaceId: string, journeyId: string) =>
  db
    .selectFrom('journey_runs')
    .select(['id', 'contact_id', 'variant', 'status', 'entered_at', 'ended_at'])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .orderBy('entered_at')
    .execute();

// ---- Batched step execution (step-batch.ts): a statement per kind of change, not per run.

/** The runs of a batch of step jobs, locked in id order (two workers' batches never deadlock). */
export const selectRunsForUpdateByIds = (db: Q, workspaceId: string, runIds: readonly string[]) =>
  db.selectFrom('journey_runs').selectAll().where('workspace_id', '=', workspaceId).where(sql<boolean>`id = any(${[...runIds]}::uuid[])`).orderBy('id').forUpdate().execute();

export const selectJourneyStates = (db: Q, workspaceId: string, journeyIds: readonly string[]) =>
  db.selectFrom('journeys').select(['id', 'state']).where('workspace_id', '=', workspaceId).where('id', 'in', [...journeyIds]).execute();

export type StepRunRow = NonNullable<Awaited<ReturnType<typeof selectStepRun>>>;

/** The step executions (run, seq) of a batch, in one statement. */
export async function selectStepRunsAt(db: Q, workspaceId: string, keys: ReadonlyArray<{ runId: string; seq: number }>): Promise<StepRunRow[]> {
  if (keys.length === 0) return [];
  const result = await sql<StepRunRow>`
    select s.* from journey_step_runs s
    join unnest(${keys.map((k) => k.runId)}::uuid[], ${keys.map((k) => k.seq)}::int[]) as k(run_id, seq) on s.run_id = k.run_id and s.seq = k.seq
    where s.workspace_id = ${workspaceId}::uuid`.execute(db);
  return result.rows;
}

/** A step execution's state as a batch writes it whole (the batch holds its run's lock). */
export interface StepRunState {
  run_id: string;
  seq: number;
  step_id: string;
  kind: string;
  status: string;
  result: string | null;
  detail: unknown;
  started_at: Date;
  finished_at: Date | null;
  lease_until: Date | null;
}

export async function insertStepRuns(db: Q, workspaceId: string, rows: readonly StepRunState[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into journey_step_runs (workspace_id, run_id, seq, step_id, kind, status, result, detail, started_at, finished_at, lease_until)
    select ${workspaceId}::uuid, v.run_id, v.seq, v.step_id, v.kind, v.status, v.result, coalesce(v.detail, '{}'::jsonb), v.started_at, v.finished_at, v.lease_until
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(run_id uuid, seq int, step_id text, kind text, status text, result text, detail jsonb, started_at timestamptz, finished_at timestamptz, lease_until timestamptz)`.execute(db);
}

export async function updateStepRunStates(db: Q, workspaceId: string, rows: readonly StepRunState[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update journey_step_runs s set status = v.status, result = v.result, detail = v.detail, finished_at = v.finished_at, lease_until = v.lease_until
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(run_id uuid, seq int, status text, result text, detail jsonb, finished_at timestamptz, lease_until timestamptz)
    where s.workspace_id = ${workspaceId}::uuid and s.run_id = v.run_id and s.seq = v.seq`.execute(db);
}

/** The new state of runs, written whole (the batch holds their locks). */
export interface RunState {
  id: string;
  status: string;
  variant: string | null;
  current_step: string | null;
  visits: number;
  token: number;
  wake_at: Date | null;
  waiting_for: unknown;
  ended_at: Date | null;
  end_reason: string | null;
}

export async function updateRunStates(db: Q, workspaceId: string, rows: readonly RunState[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update journey_runs r set status = v.status, variant = v.variant, current_step = v.current_step, visits = v.visits, token = v.token,
      wake_at = v.wake_at, waiting_for = v.waiting_for, ended_at = v.ended_at, end_reason = v.end_reason, updated_at = ${now}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, status text, variant text, current_step text, visits int, token int, wake_at timestamptz, waiting_for jsonb, ended_at timestamptz, end_reason text)
    where r.workspace_id = ${workspaceId}::uuid and r.id = v.id`.execute(db);
}

/** selectEntriesOfContact for many contacts in one statement (contacts without entries are absent). */
export async function selectEntriesOfContacts(db: Q, workspaceId: string, journeyId: string, contactIds: readonly string[]) {
  if (contactIds.length === 0) return new Map<string, { lastEntry: number; lastEnteredAt: Date | null; active: number }>();
  const rows = await db
    .selectFrom('journey_runs')
    .select([
      'contact_id',
      sql<number>`max(entry_no)::int`.as('last_entry'),
      sql<Date | null>`max(entered_at)`.as('last_entered_at'),
      sql<number>`count(*) filter (where status in ('active'))::int`.as('active'),
    ])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .where('contact_id', 'in', [...new Set(contactIds)])
    .groupBy('contact_id')
    .execute();
  return new Map(rows.map((r) => [r.contact_id, { lastEntry: Number(r.last_entry), lastEnteredAt: r.last_entered_at ? new Date(r.last_entered_at) : null, active: Number(r.active) }]));
}

export const insertRuns = (db: Q, rows: ReadonlyArray<Insertable<JourneyRunsTable>>) => (rows.length === 0 ? Promise.resolve() : db.insertInto('journey_runs').values([...rows]).execute().then(() => undefined));
