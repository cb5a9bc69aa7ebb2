import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { JourneyDefinition } from './journey-definition.ts';
import * as q from './journeys.queries.ts';
import { advanceRun, type JourneyEngine } from './run-engine.ts';
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

/**
 * Enters a contact into a journey under its entry rules (once / once per period / every
 * time, and at most max_concurrent active runs), in the caller's transaction. A contact in
 * the holdout gets a run marked `held_out` that takes no step but still counts the goal.
 */
export async function enrollContact(trx: Kysely<Database>, e: JourneyEngine, input: EnrollInput): Promise<EnrollResult> {
  const { definition } = input;
  const now = e.now();
  const entries = await q.selectEntriesOfContact(trx, input.workspaceId, input.journeyId, input.contactId);
  const rule = definition.entry?.rule ?? 'once';
  if (rule === 'once' && entries.lastEntry > 0) return { enrolled: false, reason: 'already_entered' };
  if (rule === 'once_per_period' && entries.lastEnteredAt && now.getTime() - entries.lastEnteredAt.getTime() < definition.entry!.period_days! * 86_400_000) {
    return { enrolled: false, reason: 'entered_this_period' };
  }
  if (entries.active >= (definition.entry?.max_concurrent ?? 1)) return { enrolled: false, reason: 'max_concurrent' };
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
