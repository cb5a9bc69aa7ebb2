import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { findSuppressionsForEmails, getCachedPolicies, getCachedTopicByKey, type Suppression, type Topic, type WorkspacePolicies } from '../consent/index.ts';
import { getContactsByIds } from '../contacts/index.ts';
import { capsFor, evaluateCaps, type SentMessage } from './caps.ts';
import { selectRecentMarketingOfContacts, selectSubscribedContactIds } from './messages.queries.ts';
import { quietHoursEnd } from './quiet-hours.ts';
import { checkRequest, DEFAULT_PRIORITY, type SendOutcome, type SendRequest } from './send-request.ts';

/** A batch's outcome per request; conflict: its messageId was used before (nothing sent). */
export type BatchOutcome = SendOutcome | { status: 'conflict'; messageId: string; detail: string };

/** What send-gate.ts lends the batch: the one-by-one gate, composition and delivery (only it reaches transports). */
export interface BatchDeps<M> {
  /** The gate of one request (a batch that is not uniform email goes through it one by one). */
  sendOne(db: Kysely<Database>, request: SendRequest): Promise<SendOutcome>;
  /** The composed message of a request the gate cleared (footer, List-Unsubscribe). */
  compose(request: SendRequest, cleared: { topic: Topic; policies: WorkspacePolicies; to: string; from: string }): M;
  /** Logs and delivers the composed messages of one round; an outcome each, in order. */
  deliver(db: Kysely<Database>, messages: M[], policies: WorkspacePolicies): Promise<BatchOutcome[]>;
}

type Contact = Awaited<ReturnType<typeof getContactsByIds>>[number];
type Decided = { i: number; outcome: BatchOutcome } | { i: number; to: string };

const CHUNK = 500;

/**
 * The gate and delivery of many requests, the same rules as one send each but set-based:
 * one statement each for the contacts, suppressions, consent, caps, the message rows and
 * the rows of the sends that went out, then every cleared message handed to the pooled
 * transport at once. A contact named twice is sent in a later round, after the first
 * message's row exists (its caps count it). Requests that are not all email of one
 * workspace and topic, or that carry a journey throttle, go one by one through the gate.
 */
export async function sendBatch<M>(db: Kysely<Database>, requests: readonly SendRequest[], deps: BatchDeps<M>): Promise<BatchOutcome[]> {
  const first = requests[0];
  const out: BatchOutcome[] = new Array<BatchOutcome>(requests.length);
  const uniform = requests.every((r) => checkRequest(r) === 'email' && r.workspaceId === first?.workspaceId && r.topicKey === first.topicKey && !r.journey?.maxPerHour);
  if (!uniform) {
    for (const [i, r] of requests.entries()) out[i] = await oneByOne(db, r, deps);
    return out;
  }
  const withIds = requests.map((r) => ({ ...r, messageId: r.messageId ?? randomUUID() }));
  let pending = withIds.map((_, i) => i);
  while (pending.length > 0) {
    const seen = new Set<string>();
    const ids = new Set<string>();
    const round: number[] = [];
    const later: number[] = [];
    for (const i of pending) {
      const r = withIds[i]!;
      if (ids.has(r.messageId)) out[i] = { status: 'conflict', messageId: r.messageId, detail: `message ${r.messageId} was already sent` };
      else if (seen.has(r.contactId) || round.length >= CHUNK) later.push(i);
      else {
        seen.add(r.contactId);
        ids.add(r.messageId);
        round.push(i);
      }
    }
    const outcomes = await sendRound(db, round.map((i) => withIds[i]!), deps);
    round.forEach((i, k) => (out[i] = outcomes[k]!));
    pending = later;
  }
  return out;
}

async function oneByOne<M>(db: Kysely<Database>, request: SendRequest, deps: BatchDeps<M>): Promise<BatchOutcome> {
  try {
    return await deps.sendOne(db, request);
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict' && request.messageId) return { status: 'conflict', messageId: request.messageId, detail: error.message };
    throw error;
  }
}

/** One round: every contact at most once, one workspace and topic, email. */
async function sendRound<M>(db: Kysely<Database>, requests: Array<SendRequest & { messageId: string }>, deps: BatchDeps<M>): Promise<BatchOutcome[]> {
  const { workspaceId, topicKey } = requests[0]!;
  const [topic, policies, contacts] = await Promise.all([
    getCachedTopicByKey(db, workspaceId, topicKey),
    getCachedPolicies(db, workspaceId),
    getContactsByIds(db, workspaceId, requests.map((r) => r.contactId)),
  ]);
  const byId = new Map(contacts.map((c) => [c.id, c]));
  const missing = requests.find((r) => !byId.has(r.contactId));
  if (missing) throw new AppError('not_found', `Contact ${missing.contactId} not found`);
  const decided = await decideAll(db, requests, topic, policies, byId);
  const out: BatchOutcome[] = new Array<BatchOutcome>(requests.length);
  const cleared: Array<{ i: number; m: M }> = [];
  for (const d of decided) {
    if ('outcome' in d) out[d.i] = d.outcome;
    else cleared.push({ i: d.i, m: deps.compose(requests[d.i]!, { topic, policies, to: d.to, from: senderOf(policies) }) });
  }
  const delivered = await deps.deliver(db, cleared.map((c) => c.m), policies);
  cleared.forEach((c, k) => (out[c.i] = delivered[k]!));
  return out;
}

function senderOf(p: WorkspacePolicies): string {
  return p.sender_name ? `"${p.sender_name.replace(/["\\]/g, '')}" <${p.sender_email}>` : p.sender_email!;
}

/** The checks of the gate, in its order, from facts read once for the round. */
async function decideAll(db: Kysely<Database>, requests: SendRequest[], topic: Topic, p: WorkspacePolicies, contacts: Map<string, Contact>): Promise<Decided[]> {
  const block = (i: number, reason: Extract<SendOutcome, { status: 'blocked' }>['reason'], detail: string): Decided => ({ i, outcome: { status: 'blocked', reason, detail } });
  if (!topic.channels.includes('email')) return requests.map((_, i) => block(i, 'channel_not_in_topic', `topic ${topic.key} is not sent on email (its channels: ${topic.channels.join(', ')})`));
  const ws = requests[0]!.workspaceId;
  const marketing = requests.filter((r) => r.kind === 'marketing').map((r) => r.contactId);
  const capped = requests.filter((r) => r.kind === 'marketing' && r.priority !== 'high').map((r) => r.contactId);
  const caps = capsFor(p, 'email');
  const times = requests.map((r) => (r.now ?? new Date()).getTime());
  const since = new Date(Math.min(...times) - Math.max(0, ...caps.map((c) => c.periodMs)));
  const emails = [...new Set(requests.flatMap((r) => contacts.get(r.contactId)!.email ?? []))];
  const [suppressions, subscribed, recent] = await Promise.all([
    findSuppressionsForEmails(db, ws, emails, p),
    selectSubscribedContactIds(db, ws, topic.key, marketing),
    caps.length > 0 ? selectRecentMarketingOfContacts(db, ws, capped, since) : Promise.resolve([]),
  ]);
  const sent = new Map<string, SentMessage[]>();
  for (const m of recent) sent.set(m.contact_id!, [...(sent.get(m.contact_id!) ?? []), m]);
  return requests.map((r, i): Decided => {
    const contact = contacts.get(r.contactId)!;
    const now = new Date(times[i]!);
    if (!contact.email) return block(i, 'no_address', `contact ${contact.id} has no email address`);
    if (!p.sender_email) return block(i, 'no_sender', 'the workspace has no sender_email (PATCH /api/v1/policies)');
    if (r.kind === 'marketing' && !p.postal_address) return block(i, 'no_postal_address', 'marketing email needs the sender postal address (CAN-SPAM): set postal_address');
    const hit = firstApplying(suppressions.get(contact.email) ?? [], topic);
    if (hit) return block(i, 'suppressed', `suppressed (${hit.scope}, ${hit.reason})`);
    if (r.kind !== 'marketing') return { i, to: contact.email };
    if (!subscribed.has(contact.id)) return block(i, 'no_consent', `no lawful basis to send topic ${topic.key} (${topic.regime}) to contact ${contact.id}`);
    const quietUntil = quietHoursEnd(p, contact.timezone, now);
    if (quietUntil) return { i, outcome: { status: 'deferred', reason: 'quiet_hours', notBefore: quietUntil, detail: `quiet hours for the contact until ${quietUntil.toISOString()}` } };
    const cap = r.priority === 'high' || caps.length === 0 ? null : evaluateCaps(sent.get(contact.id) ?? [], caps, r.journey?.priority ?? DEFAULT_PRIORITY, p.cap_reserve_priority, now);
    if (cap) return { i, outcome: { status: 'deferred', reason: 'frequency_cap', notBefore: cap.notBefore, detail: cap.detail } };
    return { i, to: contact.email };
  });
}

function firstApplying(suppressions: Suppression[], topic: Topic): Suppression | undefined {
  return suppressions.find((s) => s.scope === 'global' || (s.scope === 'topic' && s.topic_id === topic.id) || (s.scope === 'channel' && s.channel === 'email'));
}
