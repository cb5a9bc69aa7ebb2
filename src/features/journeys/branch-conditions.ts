import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { selectContactsMatching, type Condition } from '../audiences/index.ts';
import { listEvents } from '../events/index.ts';
import type { JourneyCondition } from './journey-definition.ts';
import * as q from './journeys.queries.ts';

export interface ConditionSubject {
  workspaceId: string;
  runId: string;
  contactId: string;
  now: Date;
}

const TRACKING_EVENT = { opened: 'Email Opened', clicked: 'Email Link Clicked' } as const;

/**
 * Evaluates a branch's conditions for one run: `all`/`any`/`not` here, a previous step's
 * result (`step`) from the run's history and the tracking events of its message, and every
 * other kind through the segments' own compiler (the audiences condition language).
 */
export async function evaluateConditions(db: Kysely<Database>, subject: ConditionSubject, conditions: readonly JourneyCondition[], match: 'all' | 'any', path: string): Promise<boolean> {
  for (const [i, c] of conditions.entries()) {
    const holds = await evaluate(db, subject, c, `${path}[${i}]`);
    if (match === 'any' && holds) return true;
    if (match === 'all' && !holds) return false;
  }
  return match === 'all';
}

async function evaluate(db: Kysely<Database>, s: ConditionSubject, c: JourneyCondition, path: string): Promise<boolean> {
  if (c.all) return evaluateConditions(db, s, c.all, 'all', `${path}.all`);
  if (c.any) return evaluateConditions(db, s, c.any, 'any', `${path}.any`);
  if (c.not) return !(await evaluate(db, s, c.not, `${path}.not`));
  if (c.step) return evaluateStepResult(db, s, c.step);
  const matched = await selectContactsMatching(db, s.workspaceId, [s.contactId], [c as Condition], { now: s.now, path });
  return matched.has(s.contactId);
}

async function evaluateStepResult(db: Kysely<Database>, s: ConditionSubject, test: NonNullable<JourneyCondition['step']>): Promise<boolean> {
  const runs = (await q.selectStepRunsOfRun(db, s.workspaceId, s.runId)).filter((r) => r.step_id === test.id);
  const last = runs.at(-1);
  if (!last) return false;
  if (test.variant !== undefined && last.result !== test.variant) return false;
  if (test.result === undefined) return true;
  if (test.result === 'opened' || test.result === 'clicked') {
    if (!last.message_id) return false;
    const events = await listEvents(db, s.workspaceId, { contactId: s.contactId, name: TRACKING_EVENT[test.result], from: last.started_at, limit: 500 });
    return events.some((e) => (e.properties as Record<string, unknown>).message_id === last.message_id);
  }
  return last.result === test.result;
}

/**
 * The runs (of one workspace) whose conditions hold, set-based: each condition the segment
 * compiler understands is one query over all the runs' contacts; `step` tests read each run.
 */
export async function runsMatching(db: Kysely<Database>, subjects: readonly ConditionSubject[], conditions: readonly JourneyCondition[], match: 'all' | 'any', path: string): Promise<Set<string>> {
  let holding = new Set(match === 'all' ? subjects.map((s) => s.runId) : []);
  for (const [i, c] of conditions.entries()) {
    const open = match === 'all' ? subjects.filter((s) => holding.has(s.runId)) : subjects.filter((s) => !holding.has(s.runId));
    if (open.length === 0) break;
    const held = await runsWhere(db, open, c, `${path}[${i}]`);
    holding = match === 'all' ? held : new Set([...holding, ...held]);
  }
  return holding;
}

async function runsWhere(db: Kysely<Database>, subjects: readonly ConditionSubject[], c: JourneyCondition, path: string): Promise<Set<string>> {
  if (c.all) return runsMatching(db, subjects, c.all, 'all', `${path}.all`);
  if (c.any) return runsMatching(db, subjects, c.any, 'any', `${path}.any`);
  if (c.not) {
    const held = await runsWhere(db, subjects, c.not, `${path}.not`);
    return new Set(subjects.filter((s) => !held.has(s.runId)).map((s) => s.runId));
  }
  if (c.step) {
    const held = new Set<string>();
    for (const s of subjects) if (await evaluateStepResult(db, s, c.step)) held.add(s.runId);
    return held;
  }
  const first = subjects[0]!;
  const matched = await selectContactsMatching(db, first.workspaceId, [...new Set(subjects.map((s) => s.contactId))], [c as Condition], { now: first.now, path });
  return new Set(subjects.filter((s) => matched.has(s.contactId)).map((s) => s.runId));
}
