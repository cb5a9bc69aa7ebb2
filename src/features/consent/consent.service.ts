import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { ConsentStatus, Database } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { getContactsByIds } from '../contacts/index.ts';
import { rowBatches } from '../../platform/db/row-batches.ts';
import * as q from './consent.queries.ts';
import { getTopicByKey, listTopics, type Topic } from './topics.service.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';

/** GDPR art. 6 lawful bases. */
export const LAWFUL_BASES = ['consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests'] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];
export const CONSENT_SOURCES = ['form', 'import', 'api', 'preference_centre', 'unsubscribe_link', 'double_opt_in', 'admin', 'demo', 'sms_keyword'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

export interface ConsentInput {
  contactId: string;
  topicKey: string;
  status: ConsentStatus;
  /** Defaults: consent for opt-ins and pending; legitimate_interests for opt-outs. */
  lawfulBasis?: LawfulBasis | undefined;
  source: ConsentSource;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  /** The words the person agreed to, as shown to them. */
  consentText?: string | null | undefined;
  at?: Date | undefined;
}

export type ConsentRecord = Awaited<ReturnType<typeof q.selectConsentHistory>>[number];

/**
 * Appends consent records (the history is never rewritten) and audits each, in one
 * transaction. An opt-in to an opt-in topic needs the lawful basis "consent".
 */
export async function recordConsent(db: Kysely<Database>, workspaceId: string, inputs: ConsentInput[], actor: AuditActor): Promise<ConsentRecord[]> {
  const run = async (trx: Kysely<Database>) => {
    await requireContacts(trx, workspaceId, inputs.map((input) => input.contactId));
    const topics = new Map<string, Topic>();
    const rows = [];
    for (const [i, input] of inputs.entries()) {
      let topic = topics.get(input.topicKey);
      if (!topic) topics.set(input.topicKey, (topic = await getTopicByKey(trx, workspaceId, input.topicKey)));
      rows.push(toRecordRow(workspaceId, topic, input, inputs.length > 1 ? `records[${i}].` : ''));
    }
    if (rows.length === 0) return [];
    const stored = await q.insertConsentRecords(trx, rows);
    await recordAudit(
      trx,
      ...stored.map((r) => ({
        workspaceId,
        actor,
        action: 'consent.recorded',
        objectType: 'contact',
        objectId: r.contact_id,
        details: { topic_id: r.topic_id, status: r.status, lawful_basis: r.lawful_basis, source: r.source, record_id: r.id },
      })),
    );
    return stored;
  };
  return inTransaction(db, run);
}

/** Refuses the whole record when a contact is not in the workspace (looked up in slices, not one by one). */
async function requireContacts(db: Kysely<Database>, workspaceId: string, contactIds: readonly string[]): Promise<void> {
  for (const batch of rowBatches([...new Set(contactIds)])) {
    const found = new Set((await getContactsByIds(db, workspaceId, batch)).map((c) => c.id));
    const missing = batch.find((id) => !found.has(id));
    if (missing !== undefined) throw new AppError('not_found', `Contact ${missing} not found`);
  }
}

function toRecordRow(workspaceId: string, topic: Topic, input: ConsentInput, prefix: string) {
  const field = (f: string) => `${prefix}${f}`;
  if (!['opted_in', 'opted_out', 'pending'].includes(input.status)) {
    throw new AppError('invalid', `${field('status')} must be opted_in, opted_out or pending, got ${JSON.stringify(input.status)}`, { field: field('status') });
  }
  if (!CONSENT_SOURCES.includes(input.source)) {
    throw new AppError('invalid', `${field('source')} must be one of ${CONSENT_SOURCES.join(', ')}, got ${JSON.stringify(input.source)}`, { field: field('source') });
  }
  const basis = input.lawfulBasis ?? (topic.regime === 'opt_out' && input.status === 'opted_in' ? 'legitimate_interests' : 'consent');
  if (!LAWFUL_BASES.includes(basis)) {
    throw new AppError('invalid', `${field('lawfulBasis')} must be one of ${LAWFUL_BASES.join(', ')}, got ${JSON.stringify(basis)}`, { field: field('lawfulBasis') });
  }
  if (topic.regime === 'opt_in' && input.status === 'opted_in' && basis !== 'consent') {
    throw new AppError('invalid', `${field('lawfulBasis')} must be "consent" to opt in to the opt-in topic ${JSON.stringify(topic.key)}, got ${JSON.stringify(basis)}`, { field: field('lawfulBasis') });
  }
  const limit = (v: string | null | undefined, name: string, max: number) => {
    if (v !== null && v !== undefined && (typeof v !== 'string' || v.length > max)) throw new AppError('invalid', `${field(name)} must be text of at most ${max} characters`, { field: field(name) });
    return v ?? null;
  };
  return {
    workspace_id: workspaceId,
    contact_id: input.contactId,
    topic_id: topic.id,
    status: input.status,
    lawful_basis: basis,
    source: input.source,
    recorded_at: input.at ?? new Date(),
    ip: limit(input.ip, 'ip', 100),
    user_agent: limit(input.userAgent, 'userAgent', 1000),
    consent_text: limit(input.consentText, 'consentText', 5000),
  };
}

export const getConsentHistory = (db: Kysely<Database>, workspaceId: string, contactId: string) => q.selectConsentHistory(db, workspaceId, contactId);

export interface TopicState {
  topic: Topic;
  /** The newest record, or null when the contact has none on the topic. */
  current: ConsentRecord | null;
  /** True when the topic's regime and the history allow marketing on it (suppression aside). */
  subscribed: boolean;
}

/** The current state of every topic for a contact, derived from the history. */
export async function getConsentState(db: Kysely<Database>, workspaceId: string, contactId: string): Promise<TopicState[]> {
  const [topics, current] = await Promise.all([listTopics(db, workspaceId), q.selectCurrentConsent(db, workspaceId, contactId)]);
  const byTopic = new Map(current.map((r) => [r.topic_id, r]));
  return topics.map((topic) => {
    const record = byTopic.get(topic.id) ?? null;
    return { topic, current: record, subscribed: isSubscribedState(topic, record) };
  });
}

/** opt_in topics need a newest record "opted_in" on the basis of consent; opt_out topics anything but an opt-out or a pending request. */
export function isSubscribedState(topic: Pick<Topic, 'regime'>, record: Pick<ConsentRecord, 'status' | 'lawful_basis'> | null): boolean {
  if (topic.regime === 'opt_in') return record?.status === 'opted_in' && record.lawful_basis === 'consent';
  return record === null || record.status === 'opted_in';
}

/**
 * Seam for segments: is the contact subscribed to the topic (consent only; the send gate
 * also checks suppression)?
 */
export async function isSubscribed(db: Kysely<Database>, workspaceId: string, contactId: string, topicKey: string | Topic): Promise<boolean> {
  const topic = typeof topicKey === 'string' ? await getTopicByKey(db, workspaceId, topicKey) : topicKey;
  const [record] = await q.selectCurrentConsent(db, workspaceId, contactId, topic.id);
  return isSubscribedState(topic, record ?? null);
}

/**
 * Seam for segments: contacts whose history says "subscribed" to an opt-in topic, or,
 * for an opt-out topic, the contacts who opted out (to exclude: everyone else is in).
 */
export async function listConsentedContactIds(db: Kysely<Database>, workspaceId: string, topicKey: string): Promise<{ regime: Topic['regime']; contactIds: string[] }> {
  const topic = await getTopicByKey(db, workspaceId, topicKey);
  if (topic.regime === 'opt_in') return { regime: 'opt_in', contactIds: await q.selectContactIdsWithStatus(db, workspaceId, topic.id, ['opted_in'], false) };
  return { regime: 'opt_out', contactIds: await q.selectContactIdsWithStatus(db, workspaceId, topic.id, ['opted_in'], true) };
}

/**
 * Seam for the contact merge: the loser's consent history moves to the winner (audited).
 * Call it inside the merge's transaction. Returns the ids of the records moved, which the
 * merge keeps so that an undo moves exactly those back (restoreConsentToContact).
 * Suppressions are keyed by email, not by contact: a merge leaves them as they are.
 */
export async function moveConsentToContact(db: Kysely<Database>, workspaceId: string, loserId: string, winnerId: string, actor: AuditActor): Promise<string[]> {
  const moved = await q.moveConsentRecords(db, workspaceId, loserId, winnerId);
  if (moved.length > 0) await recordAudit(db, { workspaceId, actor, action: 'consent.moved', objectType: 'contact', objectId: winnerId, details: { from_contact_id: loserId, records: moved.length } });
  return moved;
}

/** Undo of a merge: the records with these ids go back from the winner to the restored loser (audited). */
export async function restoreConsentToContact(db: Kysely<Database>, workspaceId: string, recordIds: string[], winnerId: string, loserId: string, actor: AuditActor): Promise<number> {
  const restored = await q.restoreConsentRecords(db, workspaceId, recordIds, winnerId, loserId);
  if (restored > 0) await recordAudit(db, { workspaceId, actor, action: 'consent.moved', objectType: 'contact', objectId: loserId, details: { from_contact_id: winnerId, records: restored, undo: true } });
  return restored;
}

export const deleteConsentOfContacts = (db: Kysely<Database>, workspaceId: string, contactIds: string[]) => q.deleteConsentRecordsOf(db, workspaceId, contactIds);

/** Opt-outs (any topic, any source) recorded since `since`, oldest first: who unsubscribed when. */
export const listOptOutsSince = (db: Kysely<Database>, workspaceId: string, since: Date) => q.selectOptOutsSince(db, workspaceId, since);
