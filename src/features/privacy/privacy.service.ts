import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { deleteConsentOfContacts, getPolicies, hashEmail, replaceWithErasedHash } from '../consent/index.ts';
import { deletePhoneSuppressions } from '../consent/index.ts';
import { eraseContacts, findContactIdsByEmail, normalizeEmail } from '../contacts/index.ts';
import { getContactsByIds } from '../contacts/index.ts';
import { eraseAudienceStateOfContacts } from '../audiences/index.ts';
import { redactHealthSnapshots } from '../data-health/index.ts';
import { eraseDedupePairsOfContacts } from '../dedupe/index.ts';
import { eraseEventsOfPerson, listEventsOfPerson } from '../events/index.ts';
import { eraseImportRefusalsMentioning } from '../imports/index.ts';
import { eraseValidationIssuesOfContacts } from '../normalization/index.ts';
import { eraseTrackingPlanTraces } from '../tracking-plan/index.ts';
import { eraseIdentityTraces, getAllIdentitiesOf } from '../identity/index.ts';
import { eraseIngestTraces } from '../ingest/index.ts';
import { deleteMessagesOfPerson } from '../messaging/index.ts';
import { eraseJourneyRunsOfContacts } from '../journeys/index.ts';
import { EXPORT_SECTIONS, type DataSubject, type ExportSection } from './export-sections.ts';
import * as q from './privacy.queries.ts';

export type PrivacyRequest = Awaited<ReturnType<typeof q.insertRequest>>;

function checkEmail(email: unknown): string {
  const normalized = normalizeEmail(email);
  if (!normalized) throw new AppError('invalid', `email must be an email address, got ${JSON.stringify(email)}`, { field: 'email' });
  return normalized;
}

async function findSubject(db: Kysely<Database>, workspaceId: string, email: string): Promise<DataSubject> {
  const contactIds = await findContactIdsByEmail(db, workspaceId, email);
  const identities = await getAllIdentitiesOf(db, workspaceId, contactIds);
  return { workspaceId, email, contactIds, identifiers: [...new Set([email, ...identities.map((i) => i.value)])] };
}

export interface PersonalDataExport {
  exported_at: string;
  /** Section name -> rows (each section is one CSV file in the CSV form). */
  sections: Record<string, Array<Record<string, unknown>>>;
}

/**
 * Everything Keel holds on a person (GDPR art. 15/20, CCPA), section by section. The
 * export is recorded as a done privacy request and audited.
 */
export async function exportPersonalData(
  db: Kysely<Database>,
  workspaceId: string,
  email: string,
  actor: AuditActor,
  extraSections: readonly ExportSection[] = [],
): Promise<PersonalDataExport> {
  const address = checkEmail(email);
  const subject = await findSubject(db, workspaceId, address);
  const sections: PersonalDataExport['sections'] = {};
  for (const section of [...EXPORT_SECTIONS, ...extraSections]) sections[section.name] = await section.collect(db, subject);
  const counts = Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.length]));
  await db.transaction().execute(async (trx) => {
    const policies = await getPolicies(trx, workspaceId);
    const request = await q.insertRequest(trx, { workspace_id: workspaceId, kind: 'export', email: null, email_hash: hashEmail(policies, address), status: 'done', attempts: 1, summary: JSON.stringify(counts), completed_at: new Date() });
    await recordAudit(trx, { workspaceId, actor, action: 'privacy.exported', objectType: 'privacy_request', objectId: request.id, details: { sections: counts } });
  });
  return { exported_at: new Date().toISOString(), sections };
}

/**
 * Erasure (GDPR art. 17). The request is recorded first; the erasure then runs in one
 * transaction, so it is done completely or not at all. A failure marks the request
 * failed (with the error) and the privacy worker retries it.
 */
export async function requestErasure(db: Kysely<Database>, workspaceId: string, email: string, actor: AuditActor): Promise<PrivacyRequest> {
  const address = checkEmail(email);
  const policies = await getPolicies(db, workspaceId);
  const request = await db.transaction().execute(async (trx) => {
    const created = await q.insertRequest(trx, { workspace_id: workspaceId, kind: 'erasure', email: address, email_hash: hashEmail(policies, address), status: 'pending' });
    await recordAudit(trx, { workspaceId, actor, action: 'privacy.erasure_requested', objectType: 'privacy_request', objectId: created.id });
    return created;
  });
  return runErasure(db, workspaceId, request.id, actor);
}

/** Runs (or re-runs) a pending or failed erasure request. */
export async function runErasure(db: Kysely<Database>, workspaceId: string, requestId: string, actor: AuditActor): Promise<PrivacyRequest> {
  const request = await q.selectRequest(db, workspaceId, requestId);
  if (!request || request.kind !== 'erasure') throw new AppError('not_found', `Erasure request ${requestId} not found`);
  if (request.status === 'done') return request;
  try {
    return await db.transaction().execute(async (trx) => {
      const summary = await erasePerson(trx, workspaceId, request.email!);
      const done = await q.updateRequest(trx, workspaceId, requestId, { status: 'done', email: null, attempts: request.attempts + 1, last_error: null, summary: JSON.stringify(summary), completed_at: new Date() });
      await recordAudit(trx, { workspaceId, actor, action: 'privacy.erased', objectType: 'privacy_request', objectId: requestId, details: summary });
      return done!;
    });
  } catch (error) {
    const message = (error as Error).message.slice(0, 1000);
    const failed = await q.updateRequest(db, workspaceId, requestId, { status: 'failed', attempts: request.attempts + 1, last_error: message });
    await recordAudit(db, { workspaceId, actor, action: 'privacy.erasure_failed', objectType: 'privacy_request', objectId: requestId, details: { error: message } });
    return failed!;
  }
}

/** Every table, in one transaction (the caller's). Returns what was removed. */
async function erasePerson(db: Kysely<Database>, workspaceId: string, email: string) {
  const subject = await findSubject(db, workspaceId, email);
  const { contactIds, identifiers } = subject;
  const values = [...new Set([email, ...identifiers])];
  // Derived and diagnostic copies first: some are found through the person's events.
  const messageIds = (await listEventsOfPerson(db, workspaceId, contactIds, identifiers)).map((e) => e.message_id);
  const derived = {
    tracking_plan_findings: await eraseTrackingPlanTraces(db, workspaceId, messageIds, values),
    validation_issues: await eraseValidationIssuesOfContacts(db, workspaceId, contactIds),
    dedupe_pairs: await eraseDedupePairsOfContacts(db, workspaceId, contactIds),
    audience_rows: await eraseAudienceStateOfContacts(db, workspaceId, contactIds),
    import_refusals: await eraseImportRefusalsMentioning(db, workspaceId, values),
    health_snapshots_redacted: await redactHealthSnapshots(db, workspaceId, values),
    // Runs and (by cascade) step executions; their pg-boss jobs carry only run ids and go stale.
    journey_runs: await eraseJourneyRunsOfContacts(db, workspaceId, contactIds),
  };
  const events = await eraseEventsOfPerson(db, workspaceId, contactIds, identifiers);
  const ingest = await eraseIngestTraces(db, workspaceId, identifiers);
  const identityTraces = await eraseIdentityTraces(db, workspaceId, contactIds, identifiers);
  const messages = await deleteMessagesOfPerson(db, workspaceId, contactIds, email);
  const consentRecords = await deleteConsentOfContacts(db, workspaceId, contactIds);
  await replaceWithErasedHash(db, workspaceId, email);
  // SMS opt-outs (STOP) are keyed by the person's phone numbers.
  const phones = (await getContactsByIds(db, workspaceId, contactIds)).map((c) => c.phone).filter((p): p is string => p !== null);
  await deletePhoneSuppressions(db, workspaceId, phones);
  const contacts = await eraseContacts(db, workspaceId, contactIds);
  return { contacts, identifiers: identifiers.length, events, rejected_events: ingest.rejected, inbox_events: ingest.inboxEvents, merges_and_conflicts: identityTraces, messages, consent_records: consentRecords, ...derived };
}

export const listPrivacyRequests = (db: Kysely<Database>, workspaceId: string, limit = 100) => q.selectRequests(db, workspaceId, limit);

export async function getPrivacyRequest(db: Kysely<Database>, workspaceId: string, id: string) {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await q.selectRequest(db, workspaceId, id) : undefined;
  if (!row) throw new AppError('not_found', `Privacy request ${JSON.stringify(id)} not found`);
  const { email: _kept, ...shown } = row;
  return shown;
}

const RETRY_AFTER_MS = 60_000;
const MAX_ATTEMPTS = 20;

/** Retries failed (or interrupted) erasures a minute or more old. */
export async function retryFailedErasures(db: Kysely<Database>, actor: AuditActor, now = new Date()): Promise<number> {
  let retried = 0;
  for (const r of await q.selectErasuresToRetry(db, new Date(now.getTime() - RETRY_AFTER_MS), MAX_ATTEMPTS)) {
    await runErasure(db, r.workspace_id, r.id, actor);
    retried += 1;
  }
  return retried;
}
