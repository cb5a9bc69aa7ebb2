import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import { listSegmentMembers, selectContactsMatching } from '../audiences/index.ts';
import type { JourneyEffects } from './effects.ts';
import { enrollContact } from './enrollment.ts';
import { countJourney } from './journey-counts.ts';
import { parseJourneyDefinition } from './journey-validation.ts';
import * as q from './journeys.queries.ts';
import { executeStepJob } from './message-steps.ts';
import type { DryRunRecorder, JourneyEngine, StepJob } from './run-engine.ts';
import { checkJourneyReferences } from './journeys.service.ts';
import { bucketOf } from './step-keys.ts';

export interface SimulationOptions {
  days: number;
  /** Only this many contacts of the audience (a fixed pseudo-random sample). */
  sample?: number | undefined;
  now?: Date | undefined;
}

export interface SimulationReport {
  audience: number;
  simulated_contacts: number;
  days: number;
  counts: Awaited<ReturnType<typeof countJourney>>;
  /** Messages that would go out, per UTC day and channel. */
  messages_per_day: Array<{ day: string; email: number; sms: number; webhook: number }>;
  /** Sends the gate would refuse, by reason (consent, suppression, caps, no transport ...). */
  blocked: Array<{ step_id: string; reason: string; contacts: number }>;
  /** Email steps whose template would not render for some contacts (missing data). */
  render_failures: Array<{ step_id: string; contacts: number; example: string }>;
  /** What the dry run cannot know: future events, its own messages' effect on caps. */
  notes: string[];
}

class Rollback extends Error {
  constructor(readonly report: SimulationReport) {
    super('simulation rolled back');
  }
}

/**
 * A dry run: the journey runs against the current audience (or a sample) on a simulated
 * clock, in one transaction that is rolled back, so nothing is stored and nothing sent.
 * Message steps ask the gate (`check`) and the renderer instead of sending.
 */
export async function simulateJourney(db: Kysely<Database>, effects: JourneyEffects, logger: Logger, workspaceId: string, input: unknown, options: SimulationOptions): Promise<SimulationReport> {
  const definition = parseJourneyDefinition(input);
  await checkJourneyReferences(db, workspaceId, definition);
  const start = options.now ?? new Date();
  const end = new Date(start.getTime() + options.days * 86_400_000);
  try {
    await db.transaction().execute(async (trx) => {
      const clock = { now: start };
      const pending: Array<{ job: StepJob; at: Date }> = [];
      const recorder = newRecorder();
      const engine: JourneyEngine = {
        db: trx,
        effects,
        logger,
        leaseSeconds: 60,
        now: () => clock.now,
        dryRun: recorder,
        scheduler: { schedule: async (_t, job, at) => void pending.push({ job, at }), wake: () => {}, prepare: async () => {} },
      };
      const key = `simulation-${definition.key}`.slice(0, 100);
      const journey = await q.insertJourney(trx, { workspace_id: workspaceId, key, name: definition.name, current_version: 1 });
      await q.insertVersion(trx, { workspace_id: workspaceId, journey_id: journey.id, version: 1, definition: JSON.stringify(definition) });
      await q.updateJourney(trx, workspaceId, journey.id, { state: 'live' });
      const audience = await audienceOf(trx, workspaceId, definition.trigger.segment?.name);
      const chosen = options.sample ? [...audience].sort((a, b) => bucketOf('sample', a) - bucketOf('sample', b)).slice(0, options.sample) : audience;
      for (const contactId of chosen) await enrollContact(trx, engine, { workspaceId, journeyId: journey.id, version: 1, definition, contactId, trigger: { simulation: true } });
      for (;;) {
        pending.sort((a, b) => a.at.getTime() - b.at.getTime());
        const next = pending.shift();
        if (!next || next.at > end) break;
        if (next.at > clock.now) clock.now = next.at;
        await executeStepJob(engine, next.job);
      }
      const counts = await countJourney(trx, workspaceId, key);
      throw new Rollback({ audience: audience.length, simulated_contacts: chosen.length, days: options.days, counts: { ...counts, key: definition.key }, ...recorder.report(), notes: NOTES });
    });
  } catch (error) {
    if (error instanceof Rollback) return error.report;
    throw error;
  }
  throw new Error('unreachable: the simulation always rolls back');
}

const NOTES = [
  'No new events arrive in a dry run: goals count only contacts who already reached them, and until_event waits time out.',
  "The journey's own simulated messages are not logged, so they do not count toward frequency caps.",
];

async function audienceOf(db: Kysely<Database>, workspaceId: string, segment: string | undefined): Promise<string[]> {
  if (!segment) return [...(await selectContactsMatching(db, workspaceId, null, []))];
  const ids: string[] = [];
  let after: string | undefined;
  for (;;) {
    const { members } = await listSegmentMembers(db, workspaceId, segment, { limit: 1000, after });
    ids.push(...members.map((m) => m.id));
    if (members.length < 1000) return ids;
    after = members.at(-1)!.id;
  }
}

function newRecorder(): DryRunRecorder & { report(): Pick<SimulationReport, 'messages_per_day' | 'blocked' | 'render_failures'> } {
  const perDay = new Map<string, { day: string; email: number; sms: number; webhook: number }>();
  const blocked = new Map<string, { step_id: string; reason: string; contacts: number }>();
  const failures = new Map<string, { step_id: string; contacts: number; example: string }>();
  return {
    onMessage(m) {
      if (m.renderError) {
        const f = failures.get(m.stepId) ?? { step_id: m.stepId, contacts: 0, example: m.renderError };
        f.contacts += 1;
        failures.set(m.stepId, f);
      }
      if (m.outcome === 'sent' && !m.renderError) {
        const day = m.at.toISOString().slice(0, 10);
        const d = perDay.get(day) ?? { day, email: 0, sms: 0, webhook: 0 };
        d[m.channel as 'email' | 'sms' | 'webhook'] += 1;
        perDay.set(day, d);
      } else if (m.outcome === 'blocked') {
        const k = `${m.stepId}:${m.reason}`;
        const b = blocked.get(k) ?? { step_id: m.stepId, reason: m.reason ?? 'unknown', contacts: 0 };
        b.contacts += 1;
        blocked.set(k, b);
      }
    },
    report: () => ({ messages_per_day: [...perDay.values()].sort((a, b) => a.day.localeCompare(b.day)), blocked: [...blocked.values()], render_failures: [...failures.values()] }),
  };
}
