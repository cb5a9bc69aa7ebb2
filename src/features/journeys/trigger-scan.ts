import type { Kysely } from 'kysely';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import type { Database } from '../../platform/db/schema.ts';
import { getLastMembershipChangeId, getLastStageMoveId, getSegment, listMembershipChangesAfter, listStageMovesAfter, selectContactsMatching } from '../audiences/index.ts';
import { getLastEventId, listTrackEventsAfter } from '../events/index.ts';
import { enrollContacts, type EnrollTarget } from './enrollment.ts';
import type { JourneyDefinition } from './journey-definition.ts';
import * as q from './journeys.queries.ts';
import { endRun, loadDefinition, type JourneyEngine } from './run-engine.ts';
import { eventMatches } from './step-keys.ts';

const BATCH = 1000;

export interface TriggerCursor {
  membership?: string;
  stages?: string;
  events?: string;
  date_day?: string;
}

type Journey = Awaited<ReturnType<typeof q.lockLiveJourneys>>[number];

/** A cursor at "now": a journey that launches reacts to what happens from then on. */
export async function startingCursor(db: Kysely<Database>, workspaceId: string): Promise<TriggerCursor> {
  return { membership: await getLastMembershipChangeId(db, workspaceId), stages: await getLastStageMoveId(db, workspaceId), events: await getLastEventId(db, workspaceId) };
}

/**
 * One pass over every live journey: segment entries/exits, stage moves and events since
 * each journey's cursor enroll contacts; events also reach goals and until_event waits; a
 * date trigger runs once a day. Each journey is locked for one scanner (others skip it),
 * and its cursor moves in the same transaction as the enrollments it made.
 */
export async function scanJourneyTriggers(e: JourneyEngine): Promise<number> {
  await e.scheduler.prepare();
  return inTransaction(e.db, async (trx) => {
    let enrolled = 0;
    for (const journey of await q.lockLiveJourneys(trx, 100)) {
      const definition = await loadDefinition(trx, journey.workspace_id, journey.id, journey.current_version);
      const cursor = { ...(journey.trigger_cursor as TriggerCursor) };
      enrolled += await scanOne(trx, e, journey, definition, cursor);
      await q.updateJourney(trx, journey.workspace_id, journey.id, { trigger_cursor: cursor as Record<string, unknown> });
    }
    if (enrolled > 0) e.scheduler.wake();
    return enrolled;
  });
}

async function scanOne(trx: Kysely<Database>, e: JourneyEngine, journey: Journey, definition: JourneyDefinition, cursor: TriggerCursor): Promise<number> {
  const ws = journey.workspace_id;
  const target = { workspaceId: ws, journeyId: journey.id, version: journey.current_version, definition };
  const enroll = async (contactId: string, trigger: Record<string, unknown>) => enrollContacts(trx, e, target, [{ contactId, trigger }]);
  // Entries are gathered and written together; an exit flushes them first, so the order of changes holds.
  let pending: Array<{ contactId: string; trigger: Record<string, unknown> }> = [];
  let enrolled = 0;
  const flush = async () => {
    enrolled += await enrollContacts(trx, e, target, pending);
    pending = [];
  };
  const t = definition.trigger;
  if (t.segment) {
    const segment = await getSegment(trx, ws, t.segment.name);
    const changes = await listMembershipChangesAfter(trx, ws, segment.id, cursor.membership ?? '0', BATCH);
    for (const c of changes) {
      if (c.change === (t.segment.on ?? 'entered')) pending.push({ contactId: c.member_id, trigger: { segment: t.segment.name, change: c.change, at: c.at } });
      if (c.change === 'exited' && definition.exit?.on_leaving_segment) {
        await flush();
        await exitRuns(trx, e, ws, journey.id, [c.member_id], 'left_segment');
      }
    }
    await flush();
    if (changes.length > 0) cursor.membership = changes.at(-1)!.id;
  }
  if (t.stage) {
    const moves = await listStageMovesAfter(trx, ws, t.stage.dimension ?? 'lifecycle', cursor.stages ?? '0', BATCH);
    for (const m of moves) if (m.to_stage === t.stage.to && (t.stage.from === undefined || m.from_stage === t.stage.from)) pending.push({ contactId: m.contact_id, trigger: { stage: m.to_stage, from: m.from_stage, at: m.at } });
    await flush();
    if (moves.length > 0) cursor.stages = moves.at(-1)!.id;
  }
  if (t.date && cursor.date_day !== e.now().toISOString().slice(0, 10)) {
    enrolled += await scanDateTrigger(trx, e, target, t.date);
    cursor.date_day = e.now().toISOString().slice(0, 10);
  }
  enrolled += await scanEvents(trx, e, journey, definition, cursor, enroll);
  await expireHoldouts(trx, e, ws, journey.id, definition);
  return enrolled;
}

async function scanDateTrigger(trx: Kysely<Database>, e: JourneyEngine, target: EnrollTarget, t: NonNullable<JourneyDefinition['trigger']['date']>): Promise<number> {
  // renewal_date - 30 days = today  <=>  renewal_date in [today + 30 d, today + 31 d)
  const today = new Date(`${e.now().toISOString().slice(0, 10)}T00:00:00.000Z`);
  const from = new Date(today.getTime() - (t.offset_days ?? 0) * 86_400_000);
  const to = new Date(from.getTime() + 86_400_000 - 1);
  const ids = await selectContactsMatching(trx, target.workspaceId, null, [{ trait: { name: t.trait, op: 'between', value: [from.toISOString(), to.toISOString()] } }], { now: e.now(), path: 'trigger.date' });
  return enrollContacts(trx, e, target, [...ids].map((contactId) => ({ contactId, trigger: { date: t.trait, day: today.toISOString().slice(0, 10) } })));
}

/** Names of the events the journey listens to: its trigger, its goal, its until_event waits (every version's). */
async function listenedEventNames(trx: Kysely<Database>, journey: Journey, definition: JourneyDefinition): Promise<string[]> {
  const names = new Set<string>();
  if (definition.trigger.event) names.add(definition.trigger.event.name);
  for (const v of await q.selectVersionNumbers(trx, journey.workspace_id, journey.id)) {
    const d = await loadDefinition(trx, journey.workspace_id, journey.id, v.version);
    if (d.goal) names.add(d.goal.event.name);
    for (const s of d.steps) if (s.wait?.until_event) names.add(s.wait.until_event.name);
  }
  return [...names];
}

async function scanEvents(trx: Kysely<Database>, e: JourneyEngine, journey: Journey, definition: JourneyDefinition, cursor: TriggerCursor, enroll: (id: string, trigger: Record<string, unknown>) => Promise<number>): Promise<number> {
  const names = await listenedEventNames(trx, journey, definition);
  if (names.length === 0) return 0;
  const events = await listTrackEventsAfter(trx, journey.workspace_id, cursor.events ?? '0', names, BATCH);
  let enrolled = 0;
  for (const ev of events) {
    const event = { name: ev.name, properties: ev.properties as Record<string, unknown> };
    const contactId = ev.contact_id!;
    // Goals and waits first: an event that both converts and re-triggers must not convert the new run.
    await applyEventToRuns(trx, e, journey, contactId, event, ev.timestamp);
    if (definition.trigger.event && eventMatches(definition.trigger.event, event)) enrolled += await enroll(contactId, { event: ev.name, event_id: ev.id });
  }
  if (events.length > 0) cursor.events = events.at(-1)!.id;
  return enrolled;
}

async function applyEventToRuns(trx: Kysely<Database>, e: JourneyEngine, journey: Journey, contactId: string, event: { name: string | null; properties: Record<string, unknown> }, at: Date): Promise<void> {
  for (const run of await q.selectOpenRunsOfContacts(trx, journey.workspace_id, journey.id, [contactId])) {
    if (at < run.entered_at) continue;
    const d = await loadDefinition(trx, run.workspace_id, run.journey_id, run.version);
    if (d.goal && eventMatches(d.goal.event, event)) {
      await endRun(trx, run, 'converted', 'goal', e.now());
      continue;
    }
    const waiting = run.waiting_for as { event?: Parameters<typeof eventMatches>[0]; since?: string } | null;
    if (run.status === 'active' && waiting?.event && eventMatches(waiting.event, event) && at >= new Date(waiting.since ?? 0)) {
      const token = run.token + 1;
      await q.updateStepRun(trx, run.workspace_id, run.id, run.visits, { result: 'event' });
      await q.updateRun(trx, run.workspace_id, run.id, { token, wake_at: e.now(), waiting_for: null });
      await e.scheduler.schedule(trx, { workspaceId: run.workspace_id, runId: run.id, token }, e.now());
    }
  }
}

export async function exitRuns(trx: Kysely<Database>, e: JourneyEngine, ws: string, journeyId: string, contactIds: string[], reason: string): Promise<number> {
  const runs = (await q.selectOpenRunsOfContacts(trx, ws, journeyId, contactIds)).filter((r) => r.status === 'active');
  for (const run of runs) await endRun(trx, run, 'exited', reason, e.now());
  return runs.length;
}

/** Held-out contacts leave once the goal window is over (counted as not converted). */
async function expireHoldouts(trx: Kysely<Database>, e: JourneyEngine, ws: string, journeyId: string, definition: JourneyDefinition): Promise<void> {
  if (!definition.holdout) return;
  const windowMs = (definition.goal?.within_days ?? 30) * 86_400_000;
  const expired = await q.selectExpiredHoldouts(trx, ws, journeyId, new Date(e.now().getTime() - windowMs));
  for (const run of expired) await endRun(trx, run, 'completed', 'holdout_window_over', e.now());
}

/** Runs whose job was lost (retries exhausted, queue purged) get a fresh one. */
export async function rescheduleStalledRuns(e: JourneyEngine, graceMs: number): Promise<number> {
  await e.scheduler.prepare();
  return inTransaction(e.db, async (trx) => {
    const stalled = await q.selectStalledRuns(trx, new Date(e.now().getTime() - graceMs), 500);
    for (const run of stalled) {
      const token = run.token + 1;
      await q.updateRun(trx, run.workspace_id, run.id, { token, wake_at: e.now() });
      await e.scheduler.schedule(trx, { workspaceId: run.workspace_id, runId: run.id, token }, e.now());
    }
    if (stalled.length > 0) e.scheduler.wake();
    return stalled.length;
  });
}
