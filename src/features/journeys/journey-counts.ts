import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { getContact } from '../contacts/index.ts';
import * as q from './journeys.queries.ts';
import { contactIdOfEmail, getJourney } from './journeys.service.ts';
import { kindOf, loadDefinition } from './run-engine.ts';

export interface StepCounts {
  step_id: string;
  kind: string;
  /** Step executions started (a contact in a loop counts once per visit). */
  entered: number;
  /** Waiting (a wait step, a deferred send) or running now. */
  waiting: number;
  /** Done: completed, or skipped (a send the gate blocked). */
  completed: number;
  /** Of those, skipped because the gate blocked the message. */
  blocked: number;
  /** Runs that left the journey at this step (exit step, unsubscribe, left the segment). */
  exited: number;
  /** Runs that reached the goal while at this step. */
  converted: number;
}

/** Per-step counts and run totals of a journey (every version), for the dashboard's journey view. */
export async function countJourney(db: Kysely<Database>, workspaceId: string, key: string) {
  const journey = await getJourney(db, workspaceId, key);
  const definition = await loadDefinition(db, workspaceId, journey.id, journey.current_version);
  const steps = new Map<string, StepCounts>();
  const blank = (stepId: string, kind: string): StepCounts => ({ step_id: stepId, kind, entered: 0, waiting: 0, completed: 0, blocked: 0, exited: 0, converted: 0 });
  for (const s of definition.steps) steps.set(s.id, blank(s.id, kindOf(s)));
  for (const row of await q.countStepRuns(db, workspaceId, journey.id)) {
    const n = Number(row.n);
    const c = steps.get(row.step_id) ?? steps.set(row.step_id, blank(row.step_id, 'removed')).get(row.step_id)!;
    c.entered += n;
    if (row.status === 'running' || row.status === 'waiting') c.waiting += n;
    if (row.status === 'completed' || row.status === 'skipped') c.completed += n;
    if (row.status === 'skipped') c.blocked += n;
    if (row.status === 'exited') c.exited += n;
    if (row.status === 'converted') c.converted += n;
  }
  const runs = { entered: 0, active: 0, completed: 0, exited: 0, converted: 0, held_out: 0, holdout_converted: 0 };
  const variants: Record<string, { entered: number; converted: number }> = {};
  for (const row of await q.countRuns(db, workspaceId, journey.id)) {
    const n = Number(row.n);
    runs.entered += n;
    runs[row.status] += n;
    if (row.variant === 'holdout' && row.status === 'converted') runs.holdout_converted += n;
    if (row.variant) {
      const v = (variants[row.variant] ??= { entered: 0, converted: 0 });
      v.entered += n;
      if (row.status === 'converted') v.converted += n;
    }
  }
  // Held-out runs that converted or ended are counted as such; `held_out` is those still in the window.
  return { key, state: journey.state, version: journey.current_version, runs, variants, steps: [...steps.values()] };
}

/** A contact's runs (newest first) with every step execution: the per-contact history. */
export async function listContactRuns(db: Kysely<Database>, workspaceId: string, who: { email?: string | undefined; contactId?: string | undefined }, key?: string) {
  const contactId = who.contactId ?? (await contactIdOfEmail(db, workspaceId, who.email));
  await getContact(db, workspaceId, contactId).catch(() => {
    throw new AppError('not_found', `Contact ${contactId} not found`);
  });
  const journeyId = key ? (await getJourney(db, workspaceId, key)).id : undefined;
  const runs = await q.selectRunsOfContact(db, workspaceId, contactId, journeyId);
  return Promise.all(
    runs.map(async ({ workspace_id: _, ...run }) => ({
      ...run,
      steps: (await q.selectStepRunsOfRun(db, workspaceId, run.id)).map(({ workspace_id: _w, run_id: _r, lease_until: _l, ...s }) => s),
    })),
  );
}

/** Every run of a journey with its variant (holdout included), status and end: conversions for reports. */
export const listRunOutcomes = (db: Kysely<Database>, workspaceId: string, journeyId: string) => q.selectRunOutcomes(db, workspaceId, journeyId);
export type RunOutcome = Awaited<ReturnType<typeof q.selectRunOutcomes>>[number];
