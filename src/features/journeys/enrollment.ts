import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { JourneyDefinition } from './journey-definition.ts';
import * as q from './journeys.queries.ts';
import { advanceRun, kindOf, type JourneyEngine } from './run-engine.ts';
import { bucketOf } from './step-keys.ts';

export interface EnrollInput {
  workspaceId: string;
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  contactId: string;
  /** What made the contact enter (stored on the run). */
  trigger: Record<string, unknown>;
}

export type EnrollResult = { enrolled: true; runId: string; heldOut: boolean } | { enrolled: false; reason: 'already_entered' | 'entered_this_period' | 'max_concurrent' };

/** Whether a contact falls in the journey's holdout: fixed by (journey, contact), never re-drawn. */
export const isHeldOut = (journeyId: string, contactId: string, percent: number | undefined) => (percent ?? 0) > 0 && bucketOf(journeyId, 'holdout', contactId) < percent! / 100;

type Entries = Awaited<ReturnType<typeof q.selectEntriesOfContact>>;

/** Why the entry rules refuse another entry of a contact with these entries (null: they allow it). */
function refusalOf(definition: JourneyDefinition, entries: Entries, now: Date): 'already_entered' | 'entered_this_period' | 'max_concurrent' | null {
  const rule = definition.entry?.rule ?? 'once';
  if (rule === 'once' && entries.lastEntry > 0) return 'already_entered';
  if (rule === 'once_per_period' && entries.lastEnteredAt && now.getTime() - entries.lastEnteredAt.getTime() < definition.entry!.period_days! * 86_400_000) return 'entered_this_period';
  if (entries.active >= (definition.entry?.max_concurrent ?? 1)) return 'max_concurrent';
  return null;
}

/**
 * Enters a contact into a journey under its entry rules (once / once per period / every
 * time, and at most max_concurrent active runs), in the caller's transaction. A contact in
 * the holdout gets a run marked `held_out` that takes no step but still counts the goal.
 */
export async function enrollContact(trx: Kysely<Database>, e: JourneyEngine, input: EnrollInput): Promise<EnrollResult> {
  const { definition } = input;
  const now = e.now();
  const entries = await q.selectEntriesOfContact(trx, input.workspaceId, input.journeyId, input.contactId);
  const reason = refusalOf(definition, entries, now);
  if (reason) return { enrolled: false, reason };
  const heldOut = isHeldOut(input.journeyId, input.contactId, definition.holdout);
  const run = await q.insertRun(trx, {
    workspace_id: input.workspaceId,
    journey_id: input.journeyId,
    version: input.version,
    contact_id: input.contactId,
    entry_no: entries.lastEntry + 1,
    status: heldOut ? 'held_out' : 'active',
    variant: heldOut ? 'holdout' : null,
    trigger: JSON.stringify(input.trigger),
    entered_at: now,
  });
  if (!heldOut) await advanceRun(trx, e, run, definition, definition.steps[0]!.id, now);
  return { enrolled: true, runId: run.id, heldOut };
}

export type EnrollTarget = Omit<EnrollInput, 'contactId' | 'trigger'>;

/**
 * enrollContact for many contacts (in order; a contact may appear twice), set-based: one
 * read of their entries, one insert of runs already at the first step, one of those step
 * executions, one queue insert of their jobs. Returns how many entered.
 */
export async function enrollContacts(trx: Kysely<Database>, e: JourneyEngine, target: EnrollTarget, who: ReadonlyArray<{ contactId: string; trigger: Record<string, unknown> }>): Promise<number> {
  if (who.length === 0) return 0;
  const { workspaceId, journeyId, version, definition } = target;
  const now = e.now();
  const entries = await q.selectEntriesOfContacts(trx, workspaceId, journeyId, who.map((w) => w.contactId));
  const first = definition.steps[0]!;
  const runs: Parameters<typeof q.insertRuns>[1][number][] = [];
  for (const { contactId, trigger } of who) {
    const had = entries.get(contactId) ?? { lastEntry: 0, lastEnteredAt: null, active: 0 };
    if (refusalOf(definition, had, now)) continue;
    const heldOut = isHeldOut(journeyId, contactId, definition.holdout);
    entries.set(contactId, { lastEntry: had.lastEntry + 1, lastEnteredAt: now, active: had.active + (heldOut ? 0 : 1) });
    const base = { workspace_id: workspaceId, id: randomUUID(), journey_id: journeyId, version, contact_id: contactId, entry_no: had.lastEntry + 1, trigger: JSON.stringify(trigger), entered_at: now };
    // As advanceRun to the first step: visit 1, token 1, due now.
    runs.push(heldOut ? { ...base, status: 'held_out', variant: 'holdout' } : { ...base, status: 'active', current_step: first.id, visits: 1, token: 1, wake_at: now });
  }
  await q.insertRuns(trx, runs);
  const active = runs.filter((r) => r.status === 'active');
  await q.insertStepRuns(trx, workspaceId, active.map((r) => ({ run_id: r.id!, seq: 1, step_id: first.id, kind: kindOf(first), status: 'running', result: null, detail: {}, started_at: now, finished_at: null, lease_until: null })));
  const jobs = active.map((r) => ({ job: { workspaceId, runId: r.id!, token: 1 }, at: now }));
  if (e.scheduler.scheduleMany) await e.scheduler.scheduleMany(trx, jobs);
  else for (const { job, at } of jobs) await e.scheduler.schedule(trx, job, at);
  return runs.length;
}
