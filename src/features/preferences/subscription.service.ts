import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor, type AuditActor } from '../audit/index.ts';
import {
  addSuppressions,
  findSuppressionsFor,
  getConsentState,
  getTopicById,
  getTopicByKey,
  recordConsent,
  removeSuppression,
  signToken,
  verifyToken,
  type ConsentRecord,
  type ConsentSource,
  type TopicState,
} from '../consent/index.ts';
import { getContact } from '../contacts/index.ts';
import type { Mailer, SendOutcome } from '../messaging/index.ts';

/** Who acts on a public page: the person holding the signed link. */
export const CONTACT_LINK_ACTOR = systemActor('contact-link');
const CONFIRM_LINK_DAYS = 7;

export interface SubscribeInput {
  contactId: string;
  topicKey: string;
  source: ConsentSource;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  consentText?: string | null | undefined;
}

export interface SubscribeResult {
  record: ConsentRecord;
  /** For double opt-in topics: what the gate did with the confirmation email. */
  confirmation: SendOutcome | null;
}

/**
 * Subscribes a contact. On a double opt-in topic the record is `pending` and a
 * confirmation email (transactional, through the gate) carries a signed link that
 * expires after 7 days; otherwise the opt-in is recorded at once.
 */
export async function subscribeContact(db: Kysely<Database>, mailer: Mailer, workspaceId: string, input: SubscribeInput, actor: AuditActor): Promise<SubscribeResult> {
  const topic = await getTopicByKey(db, workspaceId, input.topicKey);
  const doubleOptIn = topic.regime === 'opt_in' && topic.double_opt_in;
  const [record] = await recordConsent(
    db,
    workspaceId,
    [{ ...input, status: doubleOptIn ? 'pending' : 'opted_in', lawfulBasis: 'consent' }],
    actor,
  );
  if (!doubleOptIn) return { record: record!, confirmation: null };
  const token = await signToken(db, { workspaceId, contactId: input.contactId, purpose: 'confirm', topicId: topic.id, expiresAt: new Date(Date.now() + CONFIRM_LINK_DAYS * 86_400_000) });
  const link = `${mailer.publicUrl.replace(/\/+$/, '')}/c/${token}`;
  const confirmation = await mailer.send(db, {
    workspaceId,
    contactId: input.contactId,
    topicKey: topic.key,
    kind: 'transactional',
    content: {
      subject: `Please confirm your subscription to ${topic.name}`,
      text: `Please confirm that you want to receive ${topic.name}:\n\n${link}\n\nThe link works for ${CONFIRM_LINK_DAYS} days. If you did not ask for this, ignore this email.`,
    },
  });
  return { record: record!, confirmation };
}

/** A confirmation link was followed (and its form posted): the pending opt-in becomes opted_in. */
export async function confirmSubscription(db: Kysely<Database>, token: string, seen: { ip: string | null; userAgent: string | null }) {
  const claims = await verifyToken(db, token, 'confirm');
  if (!claims.topicId) throw new AppError('invalid', 'This link is not valid (no topic). Use the latest link from your email.');
  const topic = await getTopicById(db, claims.workspaceId, claims.topicId);
  const state = (await getConsentState(db, claims.workspaceId, claims.contactId)).find((s) => s.topic.id === topic.id);
  if (state?.current?.status === 'opted_in') return { topic, alreadyConfirmed: true };
  if (state?.current?.status !== 'pending') throw new AppError('conflict', 'There is no pending subscription to confirm: subscribe again to get a new link.');
  await recordConsent(
    db,
    claims.workspaceId,
    [{ contactId: claims.contactId, topicKey: topic.key, status: 'opted_in', lawfulBasis: 'consent', source: 'double_opt_in', ip: seen.ip, userAgent: seen.userAgent, consentText: state.current.consent_text }],
    CONTACT_LINK_ACTOR,
  );
  return { topic, alreadyConfirmed: false };
}

/** One-click unsubscribe (RFC 8058): an opt-out on the link's topic, effective at once. */
export async function unsubscribeByToken(db: Kysely<Database>, token: string, seen: { ip: string | null; userAgent: string | null }) {
  const claims = await verifyToken(db, token, 'unsubscribe');
  const states = await getConsentState(db, claims.workspaceId, claims.contactId);
  const targets = claims.topicId ? states.filter((s) => s.topic.id === claims.topicId) : states;
  if (claims.topicId && targets.length === 0) await getTopicById(db, claims.workspaceId, claims.topicId);
  await recordConsent(
    db,
    claims.workspaceId,
    targets.map((s) => ({ contactId: claims.contactId, topicKey: s.topic.key, status: 'opted_out' as const, source: 'unsubscribe_link' as const, ip: seen.ip, userAgent: seen.userAgent })),
    CONTACT_LINK_ACTOR,
  );
  return { topics: targets.map((s) => s.topic) };
}

export interface PreferenceView {
  workspaceId: string;
  contactId: string;
  email: string | null;
  topics: TopicState[];
  /** Channels of the workspace's topics, and whether the person accepts each. */
  channels: Array<{ channel: string; accepted: boolean }>;
}

export async function loadPreferences(db: Kysely<Database>, token: string): Promise<PreferenceView> {
  const claims = await verifyToken(db, token, 'preferences');
  const contact = await getContact(db, claims.workspaceId, claims.contactId);
  const topics = await getConsentState(db, claims.workspaceId, claims.contactId);
  const suppressed = contact.email ? await findSuppressionsFor(db, claims.workspaceId, contact.email) : [];
  const channels = [...new Set(topics.flatMap((t) => t.topic.channels))].sort();
  return {
    workspaceId: claims.workspaceId,
    contactId: contact.id,
    email: contact.email,
    topics,
    channels: channels.map((channel) => ({ channel, accepted: !suppressed.some((s) => s.scope === 'channel' && s.channel === channel) })),
  };
}

export interface PreferenceChoice {
  /** Keys of the topics the person wants; every other topic is opted out. */
  topics: string[];
  channels: string[];
  unsubscribeAll: boolean;
  consentText: string;
  ip: string | null;
  userAgent: string | null;
}

/** Saves the form of the preference centre: consent records for changed topics, channel suppressions. */
export async function savePreferences(db: Kysely<Database>, token: string, choice: PreferenceChoice): Promise<PreferenceView> {
  const view = await loadPreferences(db, token);
  const { workspaceId, contactId } = view;
  await db.transaction().execute(async (trx) => {
    const changes = view.topics.flatMap((s) => {
      const wanted = !choice.unsubscribeAll && choice.topics.includes(s.topic.key);
      if (wanted === s.subscribed) return [];
      return [{ contactId, topicKey: s.topic.key, status: wanted ? ('opted_in' as const) : ('opted_out' as const), lawfulBasis: 'consent' as const, source: 'preference_centre' as const, ip: choice.ip, userAgent: choice.userAgent, consentText: wanted ? `${choice.consentText} (${s.topic.name})` : null }];
    });
    await recordConsent(trx, workspaceId, changes, CONTACT_LINK_ACTOR);
    if (!view.email) return;
    const existing = await findSuppressionsFor(trx, workspaceId, view.email);
    for (const { channel, accepted } of view.channels) {
      const wanted = !choice.unsubscribeAll && choice.channels.includes(channel);
      if (wanted === accepted) continue;
      if (!wanted) await addSuppressions(trx, workspaceId, [{ email: view.email, reason: 'unsubscribed', channel, source: 'preference_centre' }], CONTACT_LINK_ACTOR);
      else for (const s of existing.filter((x) => x.scope === 'channel' && x.channel === channel && x.reason === 'unsubscribed')) await removeSuppression(trx, workspaceId, s.id, CONTACT_LINK_ACTOR);
    }
  });
  return loadPreferences(db, token);
}
