import type { Kysely } from 'kysely';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import type { Database } from '../../platform/db/schema.ts';
import { isAppError } from '../../platform/errors.ts';
import { changeStaticSegmentMembers } from '../audiences/index.ts';
import { systemActor } from '../audit/index.ts';
import { getContact } from '../contacts/index.ts';
import type { JourneyChannelContent, JourneySendOutcome, JourneySendRequest } from './effects.ts';
import type { JourneyDefinition, JourneyStep } from './journey-definition.ts';
import * as q from './journeys.queries.ts';
import { advanceRun, endRun, loadDefinition, nextOf, runStepInTransaction, type JourneyEngine, type StepJob } from './run-engine.ts';
import { messageIdOf } from './step-keys.ts';

type Run = NonNullable<q.RunRow>;

/**
 * One step job: the transactional part, then (for a message step) the effect outside any
 * transaction, then its result in a second transaction. Exactly once in effect:
 * - the message id is derived from (journey, version, contact, run = entry, step, visit), so
 *   a retry of a crashed attempt finds the message in the log (or the gate refuses it);
 * - a lease on the step execution keeps a second worker from sending while the first runs.
 */
export async function executeStepJob(e: JourneyEngine, job: StepJob): Promise<void> {
  await e.scheduler.prepare();
  const outcome = await inTransaction(e.db, (trx) => runStepInTransaction(trx, e, job));
  e.scheduler.wake();
  if (outcome.kind === 'message') await runMessageStep(e, job, outcome.step, outcome.seq);
}

/**
 * The message steps a batch found: email steps (not in a dry run) claimed one by one and
 * sent together through effects.sendBatch (one render per template and step, one gate
 * batch per topic), each outcome recorded as runMessageStep does; the others one by one.
 * Returns the failures (the step is then left for a retry, lease released).
 */
export async function runMessageSteps(e: JourneyEngine, works: ReadonlyArray<{ job: StepJob; step: JourneyStep; seq: number }>): Promise<Array<{ job: StepJob; error: Error }>> {
  const failures: Array<{ job: StepJob; error: Error }> = [];
  const batchable = works.filter((w) => w.step.email && !w.step.update?.add_to_list && !e.dryRun);
  for (const w of works.filter((x) => !batchable.includes(x))) {
    try {
      await runMessageStep(e, w.job, w.step, w.seq);
    } catch (error) {
      failures.push({ job: w.job, error: error as Error });
    }
  }
  const claimed: Array<{ job: StepJob; step: JourneyStep; seq: number; run: Run; request: JourneySendRequest }> = [];
  for (const w of batchable) {
    try {
      const c = await inTransaction(e.db, (trx) => claimStep(trx, e, w.job, w.seq));
      if (c) claimed.push({ ...w, run: c.run, request: sendRequestOf(e, c.run, c.definition, w.step, c.messageId) });
    } catch (error) {
      failures.push({ job: w.job, error: error as Error });
    }
  }
  if (claimed.length === 0) return failures;
  let outcomes: JourneySendOutcome[];
  const fresh: typeof claimed = [];
  const logged = new Map<(typeof claimed)[number], JourneySendOutcome>();
  try {
    // A previous attempt that crashed after the gate logged the message: it went out.
    for (const c of claimed) {
      if (await e.effects.messageExists(e.db, c.run.workspace_id, c.request.messageId)) logged.set(c, { status: 'sent', messageId: c.request.messageId });
      else fresh.push(c);
    }
    const sent = fresh.length > 0 ? await e.effects.sendBatch(e.db, fresh.map((c) => c.request)) : [];
    outcomes = claimed.map((c) => logged.get(c) ?? sent[fresh.indexOf(c)]!);
  } catch (error) {
    // Let a retry take the steps again at once instead of after the lease.
    for (const c of claimed) {
      await q.updateStepRun(e.db, c.run.workspace_id, c.run.id, c.seq, { lease_until: null, detail: JSON.stringify({ error: (error as Error).message }) });
      failures.push({ job: c.job, error: error as Error });
    }
    return failures;
  }
  for (const [k, c] of claimed.entries()) {
    try {
      await inTransaction(e.db, (trx) => recordOutcome(trx, e, c.job, c.step, c.seq, outcomes[k]!, c.request.messageId));
    } catch (error) {
      failures.push({ job: c.job, error: error as Error });
    }
  }
  e.scheduler.wake();
  return failures;
}

export async function runMessageStep(e: JourneyEngine, job: StepJob, step: JourneyStep, seq: number): Promise<void> {
  const claimed = await inTransaction(e.db, (trx) => claimStep(trx, e, job, seq));
  if (!claimed) return;
  const { run, definition, messageId } = claimed;
  let outcome: JourneySendOutcome | { status: 'updated' };
  try {
    outcome = step.update?.add_to_list ? await addToList(e, run, step.update.add_to_list) : await sendMessage(e, run, definition, step, messageId);
  } catch (error) {
    // Let a retry (this worker or another) take the step again at once instead of after the lease.
    await q.updateStepRun(e.db, run.workspace_id, run.id, seq, { lease_until: null, detail: JSON.stringify({ error: (error as Error).message }) });
    throw error;
  }
  await inTransaction(e.db, (trx) => recordOutcome(trx, e, job, step, seq, outcome, messageId));
  e.scheduler.wake();
}

async function claimStep(trx: Kysely<Database>, e: JourneyEngine, job: StepJob, seq: number) {
  const run = await q.selectRunForUpdate(trx, job.workspaceId, job.runId);
  if (!run || run.status !== 'active' || run.visits !== seq) return null;
  const stepRun = await q.selectStepRun(trx, run.workspace_id, run.id, seq);
  if (!stepRun || stepRun.status !== 'running') return null;
  const now = e.now();
  if (stepRun.lease_until && stepRun.lease_until.getTime() > Date.now() && !e.dryRun) {
    throw new Error(`step ${stepRun.step_id} of run ${run.id} is being executed by another worker until ${stepRun.lease_until.toISOString()}`);
  }
  const messageId = messageIdOf({ journeyId: run.journey_id, version: run.version, runId: run.id, contactId: run.contact_id, stepId: stepRun.step_id, seq });
  await q.updateStepRun(trx, run.workspace_id, run.id, seq, { lease_until: new Date(Date.now() + e.leaseSeconds * 1000), attempts: stepRun.attempts + 1, message_id: messageId });
  const definition = await loadDefinition(trx, run.workspace_id, run.journey_id, run.version);
  void now;
  return { run, definition, messageId };
}

async function addToList(e: JourneyEngine, run: Run, list: string): Promise<{ status: 'updated' }> {
  if (!e.dryRun) await changeStaticSegmentMembers(e.db, run.workspace_id, list, { add: [run.contact_id] }, systemActor('journeys'));
  return { status: 'updated' };
}

function contentOf(step: JourneyStep, run: Run): JourneyChannelContent {
  if (step.email) return { channel: 'email', templateKey: step.email.template };
  if (step.sms) return { channel: 'sms', text: step.sms.text };
  if (step.webhook) return { channel: 'webhook', url: step.webhook.url, payload: step.webhook.payload ?? {} };
  const owner = step.notify_owner!;
  return { channel: 'webhook', url: owner.url, payload: { type: 'notify_owner', message: owner.message ?? null, contact_id: run.contact_id, journey_id: run.journey_id, step_id: step.id } };
}

function sendRequestOf(e: JourneyEngine, run: Run, definition: JourneyDefinition, step: JourneyStep, messageId: string, content: JourneyChannelContent = contentOf(step, run)): JourneySendRequest {
  return {
    workspaceId: run.workspace_id,
    contactId: run.contact_id,
    topicKey: step.email?.topic ?? step.sms?.topic ?? step.webhook?.topic ?? definition.topic,
    messageId,
    content,
    journey: { id: run.journey_id, version: run.version, stepId: step.id, variant: run.variant ?? undefined, priority: definition.priority, maxPerHour: definition.max_per_hour },
    now: e.now(),
  };
}

async function sendMessage(e: JourneyEngine, run: Run, definition: JourneyDefinition, step: JourneyStep, messageId: string): Promise<JourneySendOutcome> {
  const content = contentOf(step, run);
  if (step.notify_owner && content.channel === 'webhook') {
    const contact = await getContact(e.db, run.workspace_id, run.contact_id);
    content.payload.owner_email = (contact.traits as Record<string, unknown>).owner_email ?? null;
  }
  const request = sendRequestOf(e, run, definition, step, messageId, content);
  if (e.dryRun) return simulateSend(e, run, step, request);
  // A previous attempt that crashed after the gate logged the message: it went out.
  if (await e.effects.messageExists(e.db, run.workspace_id, messageId)) return { status: 'sent', messageId };
  try {
    return await e.effects.send(e.db, request);
  } catch (error) {
    if (isAppError(error) && error.code === 'conflict') return { status: 'sent', messageId };
    throw error;
  }
}

async function simulateSend(e: JourneyEngine, run: Run, step: JourneyStep, request: JourneySendRequest): Promise<JourneySendOutcome> {
  const decision = await e.effects.check(e.db, request);
  let renderError: string | undefined;
  if (request.content.channel === 'email') {
    try {
      await e.effects.checkRender(e.db, { ...request, content: request.content });
    } catch (error) {
      if (!isAppError(error)) throw error;
      renderError = error.message;
    }
  }
  const outcome: JourneySendOutcome = decision.status === 'allowed' ? { status: 'sent', messageId: request.messageId } : decision;
  e.dryRun!.onMessage({ runId: run.id, contactId: run.contact_id, stepId: step.id, channel: request.content.channel, at: request.now, outcome: outcome.status, reason: 'reason' in outcome ? outcome.reason : undefined, renderError });
  return outcome;
}

async function recordOutcome(trx: Kysely<Database>, e: JourneyEngine, job: StepJob, step: JourneyStep, seq: number, outcome: JourneySendOutcome | { status: 'updated' }, messageId: string): Promise<void> {
  const run = await q.selectRunForUpdate(trx, job.workspaceId, job.runId);
  if (!run) return;
  const now = e.now();
  // The step execution (visits), not the token, says whether this outcome moves the run: a
  // stalled-run check may have rescheduled the run while this send was in progress.
  const current = run.status === 'active' && run.visits === seq;
  if (outcome.status === 'deferred' && current) {
    const token = run.token + 1;
    await q.updateStepRun(trx, run.workspace_id, run.id, seq, { lease_until: null, detail: JSON.stringify({ deferred: outcome.reason, not_before: outcome.notBefore.toISOString(), detail: outcome.detail }) });
    await q.updateRun(trx, run.workspace_id, run.id, { token, wake_at: outcome.notBefore });
    await e.scheduler.schedule(trx, { workspaceId: run.workspace_id, runId: run.id, token }, outcome.notBefore);
    return;
  }
  const blocked = outcome.status === 'blocked' || outcome.status === 'deferred';
  await q.updateStepRun(trx, run.workspace_id, run.id, seq, {
    status: blocked ? 'skipped' : 'completed',
    result: blocked ? 'blocked' : outcome.status === 'updated' ? 'updated' : 'sent',
    detail: JSON.stringify('reason' in outcome ? { reason: outcome.reason, detail: outcome.detail } : { outcome: outcome.status }),
    message_id: outcome.status === 'sent' || outcome.status === 'queued' ? messageId : null,
    finished_at: now,
    lease_until: null,
  });
  if (!current) return;
  const definition = await loadDefinition(trx, run.workspace_id, run.journey_id, run.version);
  if (run.visits >= 1000) return endRun(trx, run, 'exited', 'too many steps', now);
  await advanceRun(trx, e, run, definition, nextOf(definition, step), now);
}
