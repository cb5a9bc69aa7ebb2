import type { Kysely } from 'kysely';
import type { Database, JourneyRunStatus } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import { listEvents } from '../events/index.ts';
import { getContact } from '../contacts/index.ts';
import { isSegmentMember, getSegment, setContactStage } from '../audiences/index.ts';
import { setContactTraits } from '../contacts/index.ts';
import type { JourneyEffects } from './effects.ts';
import type { JourneyDefinition, JourneyStep } from './journey-definition.ts';
import { evaluateConditions } from './branch-conditions.ts';
import { successorsOf } from './journey-validation.ts';
import * as q from './journeys.queries.ts';
import { bucketOf, durationMs, eventMatches, nextTimeOfDay, pickWeighted } from './step-keys.ts';

/** One scheduled execution of a run: stale when the run's token has moved on. */
export interface StepJob {
  workspaceId: string;
  runId: string;
  token: number;
}

/** Where a run's next job goes: pg-boss in a worker, an in-memory clock in the simulator. */
export interface StepScheduler {
  /** In the caller's transaction, so the state change and its job commit together. */
  schedule(trx: Kysely<Database>, job: StepJob, at: Date): Promise<void>;
  /** Many jobs in one go (a batch of steps); without it, schedule is called for each. */
  scheduleMany?(trx: Kysely<Database>, jobs: ReadonlyArray<{ job: StepJob; at: Date }>): Promise<void>;
  /** Before a transaction that may schedule (the queue is created outside it). */
  prepare(): Promise<void>;
  /** After a commit that scheduled work due now. */
  wake(): void;
}

/** What the simulator wants to know about each message step instead of sending. */
export interface DryRunRecorder {
  onMessage(event: { runId: string; contactId: string; stepId: string; channel: string; at: Date; outcome: string; reason?: string | undefined; renderError?: string | undefined }): void;
}

export interface JourneyEngine {
  db: Kysely<Database>;
  effects: JourneyEffects;
  scheduler: StepScheduler;
  now: () => Date;
  logger: Logger;
  /** Seconds a message step may hold its lease before another worker may retry it. */
  leaseSeconds: number;
  dryRun?: DryRunRecorder | undefined;
}

export const MAX_VISITS = 1000;
const definitions = new Map<string, JourneyDefinition>();

/** A journey version's definition (validated when it was stored; cached, versions never change). */
export async function loadDefinition(db: Kysely<Database>, workspaceId: string, journeyId: string, version: number): Promise<JourneyDefinition> {
  const key = `${workspaceId}:${journeyId}:${version}`;
  const cached = definitions.get(key);
  if (cached) return cached;
  const row = await q.selectVersion(db, workspaceId, journeyId, version);
  if (!row) throw new Error(`journey ${journeyId} has no version ${version}`);
  const definition = row.definition as unknown as JourneyDefinition;
  definitions.set(key, definition);
  return definition;
}

type Run = NonNullable<q.RunRow>;

/** Moves a run to a step (a new step execution) or, with null, completes it; schedules its job. */
export async function advanceRun(trx: Kysely<Database>, e: JourneyEngine, run: Run, definition: JourneyDefinition, nextId: string | null, at: Date): Promise<void> {
  if (nextId === null) return endRun(trx, run, 'completed', 'finished', at);
  if (run.visits >= MAX_VISITS) return endRun(trx, run, 'exited', `more than ${MAX_VISITS} steps`, at);
  const step = definition.steps.find((s) => s.id === nextId)!;
  const seq = run.visits + 1;
  const token = run.token + 1;
  await q.insertStepRun(trx, { workspace_id: run.workspace_id, run_id: run.id, seq, step_id: step.id, kind: kindOf(step), status: 'running', started_at: at });
  await q.updateRun(trx, run.workspace_id, run.id, { current_step: step.id, visits: seq, token, wake_at: at, waiting_for: null });
  await e.scheduler.schedule(trx, { workspaceId: run.workspace_id, runId: run.id, token }, at);
}

export async function endRun(trx: Kysely<Database>, run: Run, status: JourneyRunStatus, reason: string, at: Date): Promise<void> {
  await q.updateRun(trx, run.workspace_id, run.id, { status, end_reason: reason, ended_at: at, wake_at: null, waiting_for: null, token: run.token + 1 });
  if (run.visits > 0 && (status === 'exited' || status === 'converted')) {
    const current = await q.selectStepRun(trx, run.workspace_id, run.id, run.visits);
    if (current && (current.status === 'running' || current.status === 'waiting')) {
      await q.updateStepRun(trx, run.workspace_id, run.id, run.visits, { status, result: current.result ?? reason, finished_at: at, lease_until: null });
    }
  }
}

export const kindOf = (step: JourneyStep): string => (['wait', 'branch', 'split', 'email', 'sms', 'webhook', 'notify_owner', 'update', 'goal', 'exit'] as const).find((k) => step[k] !== undefined)!;

/** The step after `step` on its default path. */
export function nextOf(definition: JourneyDefinition, step: JourneyStep): string | null {
  const index = definition.steps.findIndex((s) => s.id === step.id);
  return successorsOf(definition.steps, index)[0] ?? null;
}

/** Whether the goal event happened since the run entered (checked at each step and on each event). */
export async function goalReached(db: Kysely<Database>, run: Run, definition: JourneyDefinition): Promise<boolean> {
  const goal = definition.goal;
  if (!goal) return false;
  const events = await listEvents(db, run.workspace_id, { contactId: run.contact_id, name: goal.event.name, from: run.entered_at, limit: 200 });
  return events.some((ev) => eventMatches(goal.event, { name: ev.name, properties: ev.properties as Record<string, unknown> }));
}

/** Exit rules checked before each step: unsubscribed from the topic, left the trigger segment. */
export async function exitReason(trx: Kysely<Database>, e: JourneyEngine, run: Run, definition: JourneyDefinition): Promise<string | null> {
  if (definition.exit?.on_unsubscribe && !(await e.effects.isSubscribed(trx, run.workspace_id, run.contact_id, definition.topic))) return 'unsubscribed';
  const segment = definition.trigger.segment;
  if (definition.exit?.on_leaving_segment && segment && (segment.on ?? 'entered') === 'entered') {
    const row = await getSegment(trx, run.workspace_id, segment.name).catch(() => null);
    if (row && !(await isSegmentMember(trx, run.workspace_id, row.id, run.contact_id))) return 'left_segment';
  }
  return null;
}

export type StepOutcome = { kind: 'done' } | { kind: 'message'; step: JourneyStep; seq: number };

/**
 * The transactional part of a step job: checks the token, goal and exit rules, and runs
 * every step that touches only Keel's tables to completion. Message steps (and adding to
 * a list, which opens its own transaction) are returned to run outside the transaction.
 */
export async function runStepInTransaction(trx: Kysely<Database>, e: JourneyEngine, job: StepJob): Promise<StepOutcome> {
  const run = await q.selectRunForUpdate(trx, job.workspaceId, job.runId);
  if (!run || run.token !== job.token || run.status !== 'active' || !run.current_step) return { kind: 'done' };
  const now = e.now();
  const journey = await q.selectJourneyById(trx, run.workspace_id, run.journey_id);
  if (journey?.state === 'paused') {
    // Held where it is: launching the journey again reschedules held runs.
    await q.updateRun(trx, run.workspace_id, run.id, { token: run.token + 1, wake_at: null });
    return { kind: 'done' };
  }
  if (journey?.state === 'archived') {
    await endRun(trx, run, 'exited', 'archived', now);
    return { kind: 'done' };
  }
  const definition = await loadDefinition(trx, run.workspace_id, run.journey_id, run.version);
  if (await goalReached(trx, run, definition)) {
    await endRun(trx, run, 'converted', 'goal', now);
    return { kind: 'done' };
  }
  const reason = await exitReason(trx, e, run, definition);
  if (reason) {
    await endRun(trx, run, 'exited', reason, now);
    return { kind: 'done' };
  }
  const step = definition.steps.find((s) => s.id === run.current_step);
  const stepRun = await q.selectStepRun(trx, run.workspace_id, run.id, run.visits);
  if (!step || !stepRun) {
    await endRun(trx, run, 'exited', `step ${run.current_step} is not in version ${run.version}`, now);
    return { kind: 'done' };
  }
  const finish = async (result: string | null, next: string | null, detail: Record<string, unknown> = {}) => {
    await q.updateStepRun(trx, run.workspace_id, run.id, run.visits, { status: 'completed', result, detail: JSON.stringify(detail), finished_at: now });
    await advanceRun(trx, e, run, definition, next, now);
  };
  if (stepRun.status === 'completed' || stepRun.status === 'skipped') {
    // A message step whose outcome was recorded by a job that had been superseded (the
    // stalled-run check rescheduled it meanwhile): move on without running it again.
    await advanceRun(trx, e, run, definition, nextOf(definition, step), now);
    return { kind: 'done' };
  }
  const subject = { workspaceId: run.workspace_id, runId: run.id, contactId: run.contact_id, now };
  if (step.wait) return runWait(trx, e, run, definition, step, stepRun, now, finish);
  if (step.branch) {
    const holds = await evaluateConditions(trx, subject, step.branch.conditions, step.branch.match ?? 'all', `steps.${step.id}.branch.conditions`);
    await finish(holds ? 'then' : 'else', holds ? step.branch.then : step.branch.else);
  } else if (step.split) {
    const variant = pickWeighted(step.split.variants, bucketOf(run.journey_id, step.id, run.contact_id));
    await q.updateRun(trx, run.workspace_id, run.id, { variant: variant.name });
    await finish(variant.name, variant.next, { variant: variant.name });
  } else if (step.update && !step.update.add_to_list) {
    await applyUpdate(trx, run, step, now);
    await finish('updated', nextOf(definition, step));
  } else if (step.goal) {
    await finish('not_reached', nextOf(definition, step));
  } else if (step.exit) {
    await q.updateStepRun(trx, run.workspace_id, run.id, run.visits, { status: 'exited', result: 'exit', finished_at: now });
    await endRun(trx, run, 'exited', `exit step ${step.id}`, now);
  } else {
    return { kind: 'message', step, seq: run.visits };
  }
  return { kind: 'done' };
}

async function applyUpdate(trx: Kysely<Database>, run: Run, step: JourneyStep, now: Date): Promise<void> {
  const u = step.update!;
  if (u.trait) await setContactTraits(trx, run.workspace_id, [{ id: run.contact_id, traits: { [u.trait.name]: u.trait.value } }]);
  if (u.stage) await setContactStage(trx, run.workspace_id, run.contact_id, u.stage.dimension ?? 'lifecycle', u.stage.value, now);
}

type Finish = (result: string | null, next: string | null, detail?: Record<string, unknown>) => Promise<void>;

async function runWait(trx: Kysely<Database>, e: JourneyEngine, run: Run, definition: JourneyDefinition, step: JourneyStep, stepRun: NonNullable<Awaited<ReturnType<typeof q.selectStepRun>>>, now: Date, finish: Finish): Promise<StepOutcome> {
  const wait = step.wait!;
  if (stepRun.status === 'waiting') {
    if (wait.until_event) {
      const happened = stepRun.result === 'event';
      await finish(happened ? 'event' : 'timeout', happened ? nextOf(definition, step) : (step.on_timeout ?? nextOf(definition, step)));
    } else {
      await finish('completed', nextOf(definition, step));
    }
    return { kind: 'done' };
  }
  let wakeAt: Date;
  if (wait.until_time) {
    const contact = await getContact(trx, run.workspace_id, run.contact_id);
    wakeAt = nextTimeOfDay(now, wait.until_time, contact.timezone);
  } else if (wait.until_event) {
    wakeAt = new Date(now.getTime() + durationMs(wait.timeout!));
  } else {
    wakeAt = new Date(now.getTime() + durationMs(wait));
  }
  const token = run.token + 1;
  await q.updateStepRun(trx, run.workspace_id, run.id, run.visits, { status: 'waiting', detail: JSON.stringify({ until: wakeAt.toISOString() }) });
  await q.updateRun(trx, run.workspace_id, run.id, { token, wake_at: wakeAt, waiting_for: wait.until_event ? JSON.stringify({ event: wait.until_event, since: now.toISOString() }) : null });
  await e.scheduler.schedule(trx, { workspaceId: run.workspace_id, runId: run.id, token }, wakeAt);
  return { kind: 'done' };
}
