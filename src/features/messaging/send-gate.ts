import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import { findPhoneSuppressions, findSuppressionsFor, getCachedPolicies, getCachedTopicByKey, getTopicById, isSubscribed, type Channel, type Topic, type WorkspacePolicies } from '../consent/index.ts';
import { getContact } from '../contacts/index.ts';
import { recordBounce } from './bounces.service.ts';
import { checkFrequencyCaps } from './caps.ts';
import { checkChannel } from './channel-checks.ts';
import { composeMarketingEmail } from './email-compose.ts';
import { claimDueMessages, selectMessage, updateMessage, type StoredMessage } from './messages.queries.ts';
import { quietHoursEnd } from './quiet-hours.ts';
import { sendBatch, type BatchDeps, type BatchOutcome } from './send-batch.ts';
import { checkRequest, DEFAULT_PRIORITY, type EmailContent, type SendOutcome, type SendRequest, type SmsContent, type WebhookContent } from './send-request.ts';
import { checkThrottle } from './throttle.ts';
import { DEFAULT_RETRY, deliverAgain, deliverBatch, deliverNew, markDead, type LoggedDelivery, type RetryPolicy } from './transports/message-log.ts';
import { createOutboxTransport } from './transports/outbox-transport.ts';
import { createSmsTransport, createFormSmsProvider } from './transports/sms-transport.ts';
import { createSmtpTransport } from './transports/smtp-transport.ts';
import type { ClearedMessage, Transport } from './transports/transport.ts';
import { createWebhookTransport } from './transports/webhook-transport.ts';

export type { BatchOutcome } from './send-batch.ts';
export type { BlockReason, DeferReason, EmailContent, JourneyRef, SendOutcome, SendRequest, SmsContent, WebhookContent } from './send-request.ts';

type Cleared = { ok: true; topic: Topic; policies: WorkspacePolicies; channel: Channel; to: string; from: string };
type Decision = Cleared | Exclude<SendOutcome, { status: 'sent' | 'queued' }>;

export interface MailerOptions {
  /** Base of the links in emails (unsubscribe, preferences, confirmation). */
  publicUrl: string;
  /** SMTP relay for every workspace without its own smtp_url; none: the outbox. */
  smtpUrl?: string | undefined;
  /** How long a webhook receiver or SMS provider may take to answer (default 10 s). */
  httpTimeoutMs?: number | undefined;
  /** Backoff of retries (soft bounces, failed webhooks and SMS). */
  retry?: Partial<RetryPolicy> | undefined;
}

export interface RetryRound {
  attempted: number;
  sent: number;
  retrying: number;
  dead: number;
  bounced: number;
}

/** The only object that can hand a message to a transport; it checks every message first. */
export interface Mailer {
  send(db: Kysely<Database>, request: SendRequest): Promise<SendOutcome>;
  /**
   * Many sends with the same guarantees as `send` each (send-batch.ts): set-based gate
   * checks and message rows, delivery side by side over the pooled transport.
   */
  sendBatch(db: Kysely<Database>, requests: readonly SendRequest[]): Promise<BatchOutcome[]>;
  /** The gate's decision without sending (previews, QA, simulations). */
  check(db: Kysely<Database>, request: SendRequest): Promise<SendOutcome | { status: 'allowed' }>;
  /** One round of due retries across workspaces (the retry worker calls this). */
  retryDue(db: Kysely<Database>, options?: { now?: Date | undefined; limit?: number | undefined }): Promise<RetryRound>;
  /** Sends a dead letter again now, with a fresh set of attempts. */
  retryMessage(db: Kysely<Database>, workspaceId: string, id: string, now?: Date): Promise<SendOutcome>;
  readonly publicUrl: string;
  close(): Promise<void>;
}

export function createMailer(options: MailerOptions): Mailer {
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry };
  const timeout = options.httpTimeoutMs ?? 10_000;
  const outbox = createOutboxTransport();
  const webhook = createWebhookTransport(timeout);
  const sms = createSmsTransport(createFormSmsProvider(timeout));
  const smtpPools = new Map<string, Transport>();
  const transportFor = (channel: string, transportName: string | null, policies: WorkspacePolicies): Transport => {
    if (channel === 'webhook') return webhook;
    if (channel === 'sms') return transportName === 'outbox' || (!transportName && !policies.sms_base_url) ? outbox : sms;
    const url = policies.smtp_url ?? options.smtpUrl;
    if (transportName === 'outbox' || !url) return outbox;
    let pool = smtpPools.get(url);
    if (!pool) smtpPools.set(url, (pool = createSmtpTransport(url)));
    return pool;
  };
  const redeliver = async (db: Kysely<Database>, row: StoredMessage, now: Date): Promise<LoggedDelivery> => {
    const policies = await getCachedPolicies(db, row.workspace_id);
    const suppressed = await suppressedSinceQueued(db, row, policies);
    if (suppressed) {
      await markDead(db, row, suppressed);
      return { id: row.id, status: 'dead', attempts: row.attempts, nextAttemptAt: null, failure: 'dead', error: suppressed };
    }
    const result = await deliverAgain(db, transportFor(row.channel, row.transport, policies), row, policies, retry, now);
    if (result.failure === 'hard') await recordBounce(db, row.workspace_id, { email: row.to_address, kind: 'hard', messageId: row.id, diagnostic: result.error ?? undefined, source: 'smtp' });
    return result;
  };
  const batchDeps: BatchDeps<ClearedMessage> = {
    sendOne: (db, request) => mailer.send(db, request),
    compose: (request, d) => clear(options.publicUrl, request, { ok: true, channel: 'email', ...d }),
    async deliver(db, messages, policies) {
      const transport = transportFor('email', null, policies);
      const results = await deliverBatch(db, transport, messages, policies, retry);
      return Promise.all(results.map(async (r, k): Promise<BatchOutcome> => {
        const m = messages[k]!;
        if (r === 'conflict') return { status: 'conflict', messageId: m.messageId!, detail: `message ${m.messageId} was already sent` };
        if (r.failure === 'hard') await recordBounce(db, m.workspaceId, { email: m.to, kind: 'hard', messageId: r.id, diagnostic: r.error ?? undefined, source: 'smtp' });
        return presentDelivery(r, transport.name);
      }));
    },
  };
  const mailer: Mailer = {
    publicUrl: options.publicUrl,
    sendBatch: (db, requests) => sendBatch(db, requests, batchDeps),
    async check(db, request) {
      const decision = await decide(db, request);
      return 'ok' in decision ? { status: 'allowed' } : decision;
    },
    async send(db, request) {
      const decision = await decide(db, request);
      if (!('ok' in decision)) return decision;
      // A messageId already used is refused before any transport (an SMTP relay cannot take
      // a message back): deliverNew writes the row first, and its primary key refuses the
      // second one with `conflict`. No separate look-up needed.
      const cleared = clear(options.publicUrl, request, decision);
      const transport = transportFor(decision.channel, null, decision.policies);
      const result = await deliverNew(db, transport, cleared, decision.policies, retry);
      if (result.failure === 'hard') await recordBounce(db, request.workspaceId, { email: cleared.to, kind: 'hard', messageId: result.id, diagnostic: result.error ?? undefined, source: 'smtp' });
      return presentDelivery(result, transport.name);
    },
    async retryDue(db, o = {}) {
      const now = o.now ?? new Date();
      const round: RetryRound = { attempted: 0, sent: 0, retrying: 0, dead: 0, bounced: 0 };
      for (const row of await claimDueMessages(db, now, retry.leaseMs, o.limit ?? 100)) {
        const result = await redeliver(db, row, now);
        round.attempted += 1;
        round[result.status] += 1;
      }
      return round;
    },
    async retryMessage(db, workspaceId, id, now = new Date()) {
      const row = /^[0-9a-f-]{36}$/i.test(id) ? await selectMessage(db, workspaceId, id) : undefined;
      if (!row) throw new AppError('not_found', `Message ${JSON.stringify(id)} not found`);
      if (row.status !== 'dead') throw new AppError('conflict', `Message ${id} is ${row.status}; only dead letters can be retried`, { field: 'status', value: row.status });
      await updateMessage(db, workspaceId, id, { status: 'retrying', attempts: 0, next_attempt_at: new Date(now.getTime() + retry.leaseMs) });
      const result = await redeliver(db, { ...row, workspace_id: workspaceId, attempts: 0 }, now);
      return presentDelivery(result, row.transport);
    },
    async close() {
      await Promise.all([...smtpPools.values()].map((t) => t.close()));
      smtpPools.clear();
    },
  };
  return mailer;
}

function presentDelivery(r: LoggedDelivery, transport: string): SendOutcome {
  if (r.status === 'sent') return { status: 'sent', messageId: r.id, transport };
  if (r.status === 'retrying') return { status: 'queued', messageId: r.id, transport, nextAttemptAt: r.nextAttemptAt!, detail: r.error ?? 'retry scheduled' };
  if (r.status === 'bounced') return { status: 'blocked', reason: 'bounced', detail: `hard bounce, the address is now suppressed: ${r.error}`, messageId: r.id };
  return { status: 'blocked', reason: 'rejected', detail: r.error ?? 'refused', messageId: r.id };
}

/** A retry re-checks suppressions: someone may have unsubscribed (or bounced) since. */
async function suppressedSinceQueued(db: Kysely<Database>, row: StoredMessage, p: WorkspacePolicies): Promise<string | null> {
  if (row.channel === 'webhook') return null;
  const list = row.channel === 'email' ? await findSuppressionsFor(db, row.workspace_id, row.to_address, p) : await findPhoneSuppressions(db, row.workspace_id, row.to_address);
  const topic = row.topic_id ? await getTopicById(db, row.workspace_id, row.topic_id).catch(() => null) : null;
  const hit = list.find((s) => s.scope === 'global' || (s.scope === 'topic' && s.topic_id === topic?.id) || (s.scope === 'channel' && s.channel === row.channel));
  return hit ? `suppressed since it was queued (${hit.scope}, ${hit.reason})` : null;
}

function clear(publicUrl: string, request: SendRequest, d: Cleared): ClearedMessage {
  const base = {
    messageId: request.messageId ?? null, workspaceId: request.workspaceId, contactId: request.contactId, topicId: d.topic.id, kind: request.kind,
    channel: d.channel, to: d.to, from: d.from, journey: request.journey ?? null, now: request.now ?? new Date(), html: null, headers: {},
  };
  if (d.channel === 'webhook') return { ...base, subject: '', text: JSON.stringify((request.content as WebhookContent).payload) };
  if (d.channel === 'sms') {
    const text = (request.content as SmsContent).text;
    // Carriers expect marketing texts to say how to opt out; STOP is handled by the inbound route.
    const withOptOut = request.kind === 'marketing' && !/\bSTOP\b/i.test(text) ? `${text}\nReply STOP to opt out.` : text;
    return { ...base, subject: '', text: withOptOut };
  }
  const email = request.content as EmailContent;
  if (request.kind === 'transactional') return { ...base, subject: email.subject, text: email.text, html: email.html ?? null };
  const composed = composeMarketingEmail(publicUrl, d.policies, { workspaceId: request.workspaceId, contactId: request.contactId, topic: d.topic, ...email });
  return { ...base, ...composed };
}

/** Every check, in order; the first that fails decides. */
async function decide(db: Kysely<Database>, request: SendRequest): Promise<Decision> {
  const channel = checkRequest(request);
  // Topic and policies from the short-lived settings cache; contact, consent, suppressions fresh.
  const [topic, contact, policies] = await inOrder(
    getCachedTopicByKey(db, request.workspaceId, request.topicKey),
    getContact(db, request.workspaceId, request.contactId),
    getCachedPolicies(db, request.workspaceId),
  );
  if (!topic.channels.includes(channel)) return { status: 'blocked', reason: 'channel_not_in_topic', detail: `topic ${topic.key} is not sent on ${channel} (its channels: ${topic.channels.join(', ')})` };
  const address = await checkChannel(db, request, channel, topic, contact, policies);
  if (!address.ok) return { status: 'blocked', reason: address.reason, detail: address.detail };
  const now = request.now ?? new Date();
  const cleared: Cleared = { ok: true, topic, policies, channel, to: address.to, from: address.from };
  const marketing = request.kind === 'marketing' && channel !== 'webhook';
  if (marketing && !(await isSubscribed(db, request.workspaceId, contact.id, topic))) {
    return { status: 'blocked', reason: 'no_consent', detail: `no lawful basis to send topic ${topic.key} (${topic.regime}) to contact ${contact.id}` };
  }
  const quietUntil = marketing ? quietHoursEnd(policies, contact.timezone, now) : null;
  if (quietUntil) return { status: 'deferred', reason: 'quiet_hours', notBefore: quietUntil, detail: `quiet hours for the contact until ${quietUntil.toISOString()}` };
  const throttledUntil = await checkThrottle(db, request.workspaceId, request.journey, now);
  if (throttledUntil) {
    return { status: 'deferred', reason: 'throttled', notBefore: throttledUntil, detail: `journey ${request.journey!.id} sent ${request.journey!.maxPerHour} messages in the last hour (maxPerHour)` };
  }
  if (marketing && request.priority !== 'high') {
    const capped = await checkFrequencyCaps(db, request.workspaceId, contact.id, policies, channel, request.journey?.priority ?? DEFAULT_PRIORITY, now);
    if (capped) return { status: 'deferred', reason: 'frequency_cap', notBefore: capped.notBefore, detail: capped.detail };
  }
  return cleared;
}

/** Reads side by side; the first failure in argument order is the one thrown (as if sequential). */
async function inOrder<A, B, C>(a: Promise<A>, b: Promise<B>, c: Promise<C>): Promise<[A, B, C]> {
  const settled = await Promise.allSettled([a, b, c]);
  for (const r of settled) if (r.status === 'rejected') throw r.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [A, B, C];
}
