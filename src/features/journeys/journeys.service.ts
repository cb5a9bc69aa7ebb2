import type { Kysely } from 'kysely';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import type { Database, JourneyState } from '../../platform/db/schema.ts';
import { AppError, rethrowConflict } from '../../platform/errors.ts';
import { getSegment, listSegmentMembers } from '../audiences/index.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { getTopicByKey } from '../consent/index.ts';
import { findContactIdsByEmail } from '../contacts/index.ts';
import { enrollContact, enrollContacts, type EnrollResult } from './enrollment.ts';
import type { JourneyDefinition } from './journey-definition.ts';
import { parseJourneyDefinition } from './journey-validation.ts';
import * as q from './journeys.queries.ts';
import { loadDefinition, type JourneyEngine } from './run-engine.ts';
import { startingCursor } from './trigger-scan.ts';

/** JSON with sorted keys: jsonb gives keys back in its own order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));

export type JourneyRow = NonNullable<Awaited<ReturnType<typeof q.selectJourneyByKey>>>;

export async function getJourney(db: Kysely<Database>, workspaceId: string, key: string): Promise<JourneyRow> {
  const row = await q.selectJourneyByKey(db, workspaceId, key);
  if (!row) throw new AppError('not_found', `Journey ${JSON.stringify(key)} not found (see GET /api/v1/journeys)`);
  return row;
}

/** A journey with its current definition and its versions. */
export async function showJourney(db: Kysely<Database>, workspaceId: string, key: string) {
  const journey = await getJourney(db, workspaceId, key);
  const definition = await loadDefinition(db, workspaceId, journey.id, journey.current_version);
  return { ...journey, definition, versions: await q.selectVersionNumbers(db, workspaceId, journey.id) };
}

export const listJourneys = (db: Kysely<Database>, workspaceId: string) => q.selectJourneys(db, workspaceId);

/** Names the journey refers to must exist: its topic, and its trigger segment. */
export async function checkJourneyReferences(db: Kysely<Database>, workspaceId: string, d: JourneyDefinition): Promise<void> {
  const problems: string[] = [];
  await getTopicByKey(db, workspaceId, d.topic).catch(() => problems.push(`topic: no subscription topic ${JSON.stringify(d.topic)} (keel topics list)`));
  if (d.trigger.segment) await getSegment(db, workspaceId, d.trigger.segment.name).catch(() => problems.push(`trigger.segment.name: no segment ${JSON.stringify(d.trigger.segment!.name)}`));
  for (const [i, s] of d.steps.entries()) {
    const topic = s.email?.topic ?? s.sms?.topic ?? s.webhook?.topic;
    if (topic) await getTopicByKey(db, workspaceId, topic).catch(() => problems.push(`steps[${i}].${Object.keys(s).find((k) => k !== 'id')}.topic: no subscription topic ${JSON.stringify(topic)}`));
    if (s.update?.add_to_list) {
      const list = await getSegment(db, workspaceId, s.update.add_to_list).catch(() => null);
      if (!list || list.type !== 'static') problems.push(`steps[${i}].update.add_to_list: ${JSON.stringify(s.update.add_to_list)} is not a static segment`);
    }
  }
  if (problems.length > 0) throw new AppError('invalid', problems.join('; '), { issues: problems });
}

export interface AppliedJourney {
  journey: JourneyRow;
  version: number;
  created: boolean;
  /** False when the document equals the current version (nothing stored). */
  changed: boolean;
}

/**
 * Creates a journey (draft, version 1) or stores an edited definition as a new version.
 * Runs already in the journey continue on the version they entered (see migrateRuns).
 */
export async function applyJourney(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor): Promise<AppliedJourney> {
  const definition = parseJourneyDefinition(input);
  await checkJourneyReferences(db, workspaceId, definition);
  return inTransaction(db, async (trx) => {
    const existing = await q.selectJourneyByKey(trx, workspaceId, definition.key);
    if (!existing) {
      const journey = await q.insertJourney(trx, { workspace_id: workspaceId, key: definition.key, name: definition.name, current_version: 1 }).catch((error) => rethrowConflict(error, `journey ${definition.key} already exists`));
      await q.insertVersion(trx, { workspace_id: workspaceId, journey_id: journey.id, version: 1, definition: JSON.stringify(definition) });
      await recordAudit(trx, { workspaceId, actor, action: 'journey.created', objectType: 'journey', objectId: journey.id, details: { key: definition.key } });
      return { journey, version: 1, created: true, changed: true };
    }
    if (existing.state === 'archived') throw new AppError('conflict', `journey ${definition.key} is archived: give the edited journey a new key`);
    const current = await q.selectVersion(trx, workspaceId, existing.id, existing.current_version);
    if (canonical(current?.definition) === canonical(definition)) return { journey: existing, version: existing.current_version, created: false, changed: false };
    const version = existing.current_version + 1;
    await q.insertVersion(trx, { workspace_id: workspaceId, journey_id: existing.id, version, definition: JSON.stringify(definition) });
    await q.updateJourney(trx, workspaceId, existing.id, { current_version: version, name: definition.name });
    await recordAudit(trx, { workspaceId, actor, action: 'journey.versioned', objectType: 'journey', objectId: existing.id, details: { key: definition.key, version } });
    return { journey: { ...existing, current_version: version, name: definition.name }, version, created: false, changed: true };
  });
}

/** draft|paused -> live: the trigger starts listening now; held runs resume; existing segment members enter if asked. */
export async function launchJourney(e: JourneyEngine, workspaceId: string, key: string, actor: AuditActor, options: { includeExisting?: boolean } = {}) {
  await e.scheduler.prepare();
  const result = await inTransaction(e.db, async (trx) => {
    const journey = await getJourney(trx, workspaceId, key);
    if (journey.state === 'archived') throw new AppError('conflict', `journey ${key} is archived and cannot be launched`);
    if (journey.state === 'live') return { journey, enrolled: 0, resumed: 0 };
    const cursor: Record<string, unknown> = journey.state === 'draft' ? { ...(await startingCursor(trx, workspaceId)) } : journey.trigger_cursor;
    await q.updateJourney(trx, workspaceId, journey.id, { state: 'live', trigger_cursor: cursor });
    const now = e.now();
    let resumed = 0;
    for (const run of await q.selectHeldRuns(trx, workspaceId, journey.id)) {
      await q.updateRun(trx, workspaceId, run.id, { token: run.token + 1, wake_at: now });
      await e.scheduler.schedule(trx, { workspaceId, runId: run.id, token: run.token + 1 }, now);
      resumed += 1;
    }
    const definition = await loadDefinition(trx, workspaceId, journey.id, journey.current_version);
    let enrolled = 0;
    if (journey.state === 'draft' && definition.trigger.segment && (options.includeExisting ?? definition.trigger.segment.include_existing ?? false)) {
      enrolled = await enrollSegmentMembers(trx, e, workspaceId, journey, definition);
    }
    await recordAudit(trx, { workspaceId, actor, action: 'journey.launched', objectType: 'journey', objectId: journey.id, details: { key, enrolled, resumed } });
    return { journey: { ...journey, state: 'live' as JourneyState }, enrolled, resumed };
  });
  e.scheduler.wake();
  return result;
}

async function enrollSegmentMembers(trx: Kysely<Database>, e: JourneyEngine, workspaceId: string, journey: JourneyRow, definition: JourneyDefinition): Promise<number> {
  const target = { workspaceId, journeyId: journey.id, version: journey.current_version, definition };
  const trigger = { segment: definition.trigger.segment!.name, change: 'member_at_launch' };
  let enrolled = 0;
  let after: string | undefined;
  for (;;) {
    const { members } = await listSegmentMembers(trx, workspaceId, definition.trigger.segment!.name, { limit: 1000, after });
    enrolled += await enrollContacts(trx, e, target, members.map((m) => ({ contactId: m.id, trigger })));
    if (members.length < 1000) return enrolled;
    after = members.at(-1)!.id;
  }
}

/** live -> paused (no one enters, runs hold at their next step) or -> archived (runs exit at their next step). */
export async function setJourneyState(db: Kysely<Database>, workspaceId: string, key: string, state: 'paused' | 'archived', actor: AuditActor) {
  const journey = await getJourney(db, workspaceId, key);
  if (journey.state === 'archived') throw new AppError('conflict', `journey ${key} is archived`);
  if (state === 'paused' && journey.state !== 'live') throw new AppError('conflict', `only a live journey can be paused; ${key} is ${journey.state}`);
  await q.updateJourney(db, workspaceId, journey.id, { state });
  await recordAudit(db, { workspaceId, actor, action: `journey.${state}`, objectType: 'journey', objectId: journey.id, details: { key } });
  return { ...journey, state };
}

/** Manual/API enrollment of a contact by email or id, under the entry rules. */
export async function enrollInJourney(e: JourneyEngine, workspaceId: string, key: string, who: { email?: string | undefined; contactId?: string | undefined }): Promise<EnrollResult & { contactId: string }> {
  await e.scheduler.prepare();
  const result = await inTransaction(e.db, async (trx) => {
    const journey = await getJourney(trx, workspaceId, key);
    if (journey.state !== 'live') throw new AppError('conflict', `journey ${key} is ${journey.state}: launch it first (keel journeys launch ${key})`);
    const contactId = who.contactId ?? (await contactIdOfEmail(trx, workspaceId, who.email));
    const definition = await loadDefinition(trx, workspaceId, journey.id, journey.current_version);
    return { ...(await enrollContact(trx, e, { workspaceId, journeyId: journey.id, version: journey.current_version, definition, contactId, trigger: { manual: true } })), contactId };
  });
  e.scheduler.wake();
  return result;
}

export async function contactIdOfEmail(db: Kysely<Database>, workspaceId: string, email: string | undefined): Promise<string> {
  if (!email) throw new AppError('invalid', 'Give an email or a contactId', { field: 'email' });
  const [id] = await findContactIdsByEmail(db, workspaceId, email);
  if (!id) throw new AppError('not_found', `No contact with email ${JSON.stringify(email)}`);
  return id;
}

/** Moves active runs on older versions to the current one where their step still exists. */
export async function migrateRuns(e: JourneyEngine, workspaceId: string, key: string, actor: AuditActor) {
  await e.scheduler.prepare();
  const result = await inTransaction(e.db, async (trx) => {
    const journey = await getJourney(trx, workspaceId, key);
    const definition = await loadDefinition(trx, workspaceId, journey.id, journey.current_version);
    const ids = new Set(definition.steps.map((s) => s.id));
    let migrated = 0;
    const kept: Array<{ run_id: string; version: number; step: string | null }> = [];
    for (const run of await q.selectRunsToMigrate(trx, workspaceId, journey.id, journey.current_version)) {
      if (!run.current_step || !ids.has(run.current_step)) {
        kept.push({ run_id: run.id, version: run.version, step: run.current_step });
        continue;
      }
      const now = e.now();
      await q.updateRun(trx, workspaceId, run.id, { version: journey.current_version, token: run.token + 1, wake_at: now });
      await e.scheduler.schedule(trx, { workspaceId, runId: run.id, token: run.token + 1 }, now);
      migrated += 1;
    }
    await recordAudit(trx, { workspaceId, actor, action: 'journey.runs_migrated', objectType: 'journey', objectId: journey.id, details: { key, to_version: journey.current_version, migrated, kept: kept.length } });
    return { version: journey.current_version, migrated, kept };
  });
  e.scheduler.wake();
  return result;
}
