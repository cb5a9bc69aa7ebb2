import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { StageDimension } from '../../platform/db/tables/audiences.ts';
import { setContactStage } from '../audiences/index.ts';
import { setContactTraits } from '../contacts/index.ts';
import { runsMatching, type ConditionSubject } from './branch-conditions.ts';
import type { JourneyDefinition, JourneyStep } from './journey-definition.ts';
import * as q from './journeys.queries.ts';
import { exitReason, endRun, goalReached, kindOf, loadDefinition, MAX_VISITS, nextOf, runStepInTransaction, type JourneyEngine, type StepJob } from './run-engine.ts';
import { bucketOf, durationMs, pickWeighted } from './step-keys.ts';

type Run = NonNullable<q.RunRow>;

/** A message step found by the batch: it runs outside the transaction, as a single step job does. */
export interface MessageWork {
  job: StepJob;
  step: JourneyStep;
  seq: number;
}

/** Steps after the first a run may take in the same batch (then its next step gets a job). */
const MAX_CHAIN = 20;

/** One run in the batch: its row as locked, its new state, the step it is at and that step's execution. */
interface Item {
  run: Run;
  state: q.RunState;
  definition: JourneyDefinition;
  step: JourneyStep;
  stepRun: q.StepRunState;
  /** The step execution was created in this batch (it is in the insert, not the update). */
  fresh: boolean;
  /** Moved to a new step due now: taken in the next round, or given a job. */
  moved: boolean;
}

/** What a batch writes, gathered in memory and written with a statement per kind. */
class Writes {
  readonly stepRuns = new Map<string, q.StepRunState>();
  readonly inserts: q.StepRunState[] = [];
  readonly scheduled: Array<{ job: StepJob; at: Date }> = [];
  readonly traits = new Map<string, Record<string, unknown>>();
  readonly stages: Array<{ contactId: string; dimension: StageDimension; value: string }> = [];
  constructor(
    readonly workspaceId: string,
    readonly now: Date,
  ) {}
}

/**
 * Runs a batch of step jobs in the caller's transaction: the same decisions as
 * runStepInTransaction, but read and written with a few statements for the whole batch
 * (runs locked in one select, branch conditions one query per condition over all
 * contacts, step executions in one insert and one update, next jobs in one queue insert).
 * A run whose next step is due now and touches only Keel's tables (branch, split, update,
 * goal, exit, the start of a wait) takes it in the same transaction instead of through a
 * job, after the goal and exit rules are checked again.
 * Runs in an unusual state (paused or archived journey, a step missing from the version, a
 * wait until a time of day) go through runStepInTransaction itself, in the same transaction.
 */
export async function runStepBatch(trx: Kysely<Database>, e: JourneyEngine, jobs: readonly StepJob[]): Promise<MessageWork[]> {
  const byWorkspace = new Map<string, StepJob[]>();
  for (const job of jobs) byWorkspace.set(job.workspaceId, [...(byWorkspace.get(job.workspaceId) ?? []), job]);
  const messages: MessageWork[] = [];
  for (const [workspaceId, list] of byWorkspace) messages.push(...(await runWorkspaceBatch(trx, e, workspaceId, list)));
  return messages;
}

async function runWorkspaceBatch(trx: Kysely<Database>, e: JourneyEngine, workspaceId: string, jobs: readonly StepJob[]): Promise<MessageWork[]> {
  const tokens = new Map(jobs.map((j) => [j.runId, j.token]));
  const runs = (await q.selectRunsForUpdateByIds(trx, workspaceId, [...tokens.keys()])).filter((r) => r.token === tokens.get(r.id) && r.status === 'active' && r.current_step);
  if (runs.length === 0) return [];
  const states = new Map((await q.selectJourneyStates(trx, workspaceId, [...new Set(runs.map((r) => r.journey_id))])).map((j) => [j.id, j.state]));
  const w = new Writes(workspaceId, e.now());
  const single: Run[] = [];
  const open: Array<{ run: Run; definition: JourneyDefinition }> = [];
  for (const run of runs) {
    const state = states.get(run.journey_id);
    if (state === 'paused' || state === 'archived') {
      single.push(run);
      continue;
    }
    const definition = await loadDefinition(trx, workspaceId, run.journey_id, run.version);
    if (await goalReached(trx, run, definition)) await endRun(trx, run, 'converted', 'goal', w.now);
    else {
      const reason = await exitReason(trx, e, run, definition);
      if (reason) await endRun(trx, run, 'exited', reason, w.now);
      else open.push({ run, definition });
    }
  }
  const stepRuns = new Map((await q.selectStepRunsAt(trx, workspaceId, open.map(({ run }) => ({ runId: run.id, seq: run.visits })))).map((s) => [s.run_id, s]));
  const items: Item[] = [];
  for (const { run, definition } of open) {
    const step = definition.steps.find((s) => s.id === run.current_step);
    const stepRun = stepRuns.get(run.id);
    if (!step || !stepRun || stepRun.status === 'completed' || stepRun.status === 'skipped' || (step.wait?.until_time && stepRun.status !== 'waiting')) single.push(run);
    else items.push({ run, definition, step, stepRun: { ...stepRun }, state: stateOf(run), fresh: false, moved: false });
  }
  const messages = await decideRounds(trx, e, w, items);
  const asMessage = new Set(messages.map((m) => m.job.runId));
  await flush(trx, e, w, items.filter((i) => !asMessage.has(i.run.id)));
  for (const run of single) {
    const job = { workspaceId, runId: run.id, token: run.token };
    const outcome = await runStepInTransaction(trx, e, job);
    if (outcome.kind === 'message') messages.push({ job, step: outcome.step, seq: outcome.seq });
  }
  return messages;
}

const stateOf = (r: Run): q.RunState => ({
  id: r.id,
  status: r.status,
  variant: r.variant,
  current_step: r.current_step,
  visits: r.visits,
  token: r.token,
  wake_at: r.wake_at,
  waiting_for: r.waiting_for,
  ended_at: r.ended_at,
  end_reason: r.end_reason,
});

/** Whether a run may take this step in the batch that moved it there. */
const chainable = (item: Item) =>
  item.state.status === 'active' &&
  !!(item.step.branch || item.step.split || (item.step.update && !item.step.update.add_to_list) || item.step.goal || item.step.exit || (item.step.wait && !item.step.wait.until_time));

/** Rounds of decisions: the jobs' steps, then the steps due now that runs moved to, up to MAX_CHAIN. */
async function decideRounds(trx: Kysely<Database>, e: JourneyEngine, w: Writes, items: readonly Item[]): Promise<MessageWork[]> {
  const messages = await decide(trx, w, items);
  for (let round = 1; ; round += 1) {
    const moved = items.filter((i) => i.moved);
    for (const item of moved) item.moved = false;
    const next = round <= MAX_CHAIN ? moved.filter(chainable) : [];
    const taken = new Set(next);
    // The others wait for their job: a message step, a goal or exit rule to check, or the chain is long.
    for (const item of moved) if (!taken.has(item)) w.scheduled.push({ job: { workspaceId: w.workspaceId, runId: item.state.id, token: item.state.token }, at: w.now });
    if (next.length === 0) return messages;
    // A branch reads traits, stages and step results from the database: write this batch's so far first.
    if (next.some((i) => i.step.branch)) await writeStepsAndContacts(trx, w, items);
    await decide(trx, w, await withoutEnded(trx, e, w, next));
  }
}

/** The goal and exit rules, checked before each step as for a step job: the runs they end leave the batch. */
async function withoutEnded(trx: Kysely<Database>, e: JourneyEngine, w: Writes, items: readonly Item[]): Promise<Item[]> {
  const going: Item[] = [];
  for (const item of items) {
    const { run, definition } = item;
    if (!definition.goal && !definition.exit?.on_unsubscribe && !definition.exit?.on_leaving_segment) going.push(item);
    else if (await goalReached(trx, run, definition)) end(w, item, 'converted', 'goal');
    else {
      const reason = await exitReason(trx, e, run, definition);
      if (reason) end(w, item, 'exited', reason);
      else going.push(item);
    }
  }
  return going;
}

/** Each item's current step, decided in memory (branch conditions read in one query per condition). */
async function decide(trx: Kysely<Database>, w: Writes, items: readonly Item[]): Promise<MessageWork[]> {
  const holding = await branchesHolding(trx, w, items);
  const messages: MessageWork[] = [];
  for (const item of items) {
    const { run, step, definition } = item;
    if (step.wait) decideWait(w, item);
    else if (step.branch) {
      const holds = holding.has(run.id);
      finish(w, item, holds ? 'then' : 'else', holds ? step.branch.then : step.branch.else);
    } else if (step.split) {
      const variant = pickWeighted(step.split.variants, bucketOf(run.journey_id, step.id, run.contact_id));
      item.state.variant = variant.name;
      finish(w, item, variant.name, variant.next, { variant: variant.name });
    } else if (step.update && !step.update.add_to_list) {
      const u = step.update;
      if (u.trait) w.traits.set(run.contact_id, { ...w.traits.get(run.contact_id), [u.trait.name]: u.trait.value });
      if (u.stage) w.stages.push({ contactId: run.contact_id, dimension: u.stage.dimension ?? 'lifecycle', value: u.stage.value });
      finish(w, item, 'updated', nextOf(definition, step));
    } else if (step.goal) finish(w, item, 'not_reached', nextOf(definition, step));
    else if (step.exit) {
      setStepRun(w, item, { status: 'exited', result: 'exit', finished_at: w.now });
      end(w, item, 'exited', `exit step ${step.id}`);
    } else messages.push({ job: { workspaceId: run.workspace_id, runId: run.id, token: run.token }, step, seq: item.state.visits });
  }
  return messages;
}

/** Runs at a branch whose conditions hold: the items grouped by (journey, version, step). */
async function branchesHolding(trx: Kysely<Database>, w: Writes, items: readonly Item[]): Promise<Set<string>> {
  const groups = new Map<string, Item[]>();
  for (const item of items) {
    if (!item.step.branch) continue;
    const key = `${item.run.journey_id}:${item.run.version}:${item.step.id}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const holding = new Set<string>();
  for (const group of groups.values()) {
    const branch = group[0]!.step.branch!;
    const subjects: ConditionSubject[] = group.map(({ run }) => ({ workspaceId: w.workspaceId, runId: run.id, contactId: run.contact_id, now: w.now }));
    for (const id of await runsMatching(trx, subjects, branch.conditions, branch.match ?? 'all', `steps.${group[0]!.step.id}.branch.conditions`)) holding.add(id);
  }
  return holding;
}

function decideWait(w: Writes, item: Item): void {
  const { step, stepRun, definition } = item;
  const wait = step.wait!;
  if (stepRun.status === 'waiting') {
    const happened = stepRun.result === 'event';
    if (wait.until_event) finish(w, item, happened ? 'event' : 'timeout', happened ? nextOf(definition, step) : (step.on_timeout ?? nextOf(definition, step)));
    else finish(w, item, 'completed', nextOf(definition, step));
    return;
  }
  const wakeAt = new Date(w.now.getTime() + durationMs(wait.until_event ? wait.timeout! : wait));
  setStepRun(w, item, { status: 'waiting', detail: { until: wakeAt.toISOString() } });
  const s = item.state;
  s.token += 1;
  s.wake_at = wakeAt;
  s.waiting_for = wait.until_event ? { event: wait.until_event, since: w.now.toISOString() } : null;
  w.scheduled.push({ job: { workspaceId: w.workspaceId, runId: s.id, token: s.token }, at: wakeAt });
}

/** The current step execution's new state: in the insert if this batch created it, else in the update. */
function setStepRun(w: Writes, item: Item, patch: Partial<q.StepRunState>): void {
  Object.assign(item.stepRun, patch);
  if (!item.fresh) w.stepRuns.set(`${item.stepRun.run_id}:${item.stepRun.seq}`, item.stepRun);
}

function finish(w: Writes, item: Item, result: string | null, next: string | null, detail: Record<string, unknown> = {}): void {
  setStepRun(w, item, { status: 'completed', result, detail, finished_at: w.now });
  advance(w, item, next);
}

/** As advanceRun: a new step execution (taken next round or given a job), or the end of the run. */
function advance(w: Writes, item: Item, nextId: string | null): void {
  const s = item.state;
  if (nextId === null) return end(w, item, 'completed', 'finished');
  if (s.visits >= MAX_VISITS) return end(w, item, 'exited', `more than ${MAX_VISITS} steps`);
  const step = item.definition.steps.find((x) => x.id === nextId)!;
  s.visits += 1;
  s.token += 1;
  s.current_step = step.id;
  s.wake_at = w.now;
  s.waiting_for = null;
  const row: q.StepRunState = { run_id: s.id, seq: s.visits, step_id: step.id, kind: kindOf(step), status: 'running', result: null, detail: {}, started_at: w.now, finished_at: null, lease_until: null };
  w.inserts.push(row);
  Object.assign(item, { step, stepRun: row, fresh: true, moved: true });
}

/** As endRun. */
function end(w: Writes, item: Item, status: 'completed' | 'exited' | 'converted', reason: string): void {
  const s = item.state;
  const visits = s.visits;
  Object.assign(s, { status, end_reason: reason, ended_at: w.now, wake_at: null, waiting_for: null, token: s.token + 1 });
  const current = item.stepRun;
  if (visits > 0 && (status === 'exited' || status === 'converted') && (current.status === 'running' || current.status === 'waiting')) {
    setStepRun(w, item, { status, result: current.result ?? reason, finished_at: w.now, lease_until: null });
  }
}

async function flush(trx: Kysely<Database>, e: JourneyEngine, w: Writes, items: readonly Item[]): Promise<void> {
  await writeStepsAndContacts(trx, w, items);
  await q.updateRunStates(trx, w.workspaceId, items.map((i) => i.state), w.now);
  if (e.scheduler.scheduleMany) await e.scheduler.scheduleMany(trx, w.scheduled);
  else for (const { job, at } of w.scheduled) await e.scheduler.schedule(trx, job, at);
}

/** Writes the step executions and contact changes gathered so far (later changes to those executions are updates). */
async function writeStepsAndContacts(trx: Kysely<Database>, w: Writes, items: readonly Item[]): Promise<void> {
  await q.updateStepRunStates(trx, w.workspaceId, [...w.stepRuns.values()]);
  await q.insertStepRuns(trx, w.workspaceId, w.inserts);
  await setContactTraits(trx, w.workspaceId, [...w.traits].map(([id, traits]) => ({ id, traits })));
  for (const s of w.stages) await setContactStage(trx, w.workspaceId, s.contactId, s.dimension, s.value, w.now);
  w.stepRuns.clear();
  w.inserts.length = 0;
  w.traits.clear();
  w.stages.length = 0;
  for (const item of items) item.fresh = false;
}
