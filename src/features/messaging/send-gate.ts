import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database, MessageKind } from '../../platform/db/schema.ts';
import { findSuppressionsFor, getPolicies, getTopicByKey, isSubscribed, type Topic, type WorkspacePolicies } from '../consent/index.ts';
import { getContact } from '../contacts/index.ts';
import { composeMarketingEmail } from './email-compose.ts';
import { countMarketingSince, selectMessage } from './messages.queries.ts';
import { quietHoursEnd } from './quiet-hours.ts';
import { createOutboxTransport } from './transports/outbox-transport.ts';
import { createSmtpTransport } from './transports/smtp-transport.ts';
import type { ClearedEmail, Transport } from './transports/transport.ts';

/**
 * What any sender (API, double opt-in, journeys, campaigns) passes to the gate.
 *
 * @example
 * await mailer.send(db, { workspaceId, contactId, topicKey: 'newsletter', kind: 'marketing',
 *   content: { subject: 'May news', text: 'Hello' } });
 */
export interface SendRequest {
  workspaceId: string;
  contactId: string;
  /** Every message belongs to a topic: its consent and suppressions apply. */
  topicKey: string;
  channel?: 'email' | 'sms' | 'webhook' | undefined;
  /**
   * marketing: needs a lawful basis on the topic, obeys caps and quiet hours.
   * transactional (confirmations, receipts): no consent needed, no caps or quiet hours;
   * suppressions still apply.
   */
  kind: MessageKind;
  /** high: a marketing message that may exceed the frequency cap (still counted). */
  priority?: 'normal' | 'high' | undefined;
  content: { subject: string; text: string; html?: string | null | undefined };
  /** Clock of the decision (tests, replays). */
  now?: Date | undefined;
  /**
   * The id the message gets in the log (a uuid chosen by the caller, e.g. derived from a
   * journey step's idempotency key): a second send with the same id is refused as a
   * conflict, and a caller that crashed can look the id up to learn whether it went out.
   */
  messageId?: string | undefined;
}

export type BlockReason = 'no_address' | 'channel_not_in_topic' | 'no_transport' | 'no_sender' | 'no_postal_address' | 'suppressed' | 'no_consent' | 'frequency_cap';

export type SendOutcome =
  | { status: 'sent'; messageId: string; transport: Transport['name'] }
  | { status: 'blocked'; reason: BlockReason; detail: string }
  | { status: 'deferred'; reason: 'quiet_hours'; notBefore: Date; detail: string };

type Decision = { ok: true; topic: Topic; policies: WorkspacePolicies; to: string } | Exclude<SendOutcome, { status: 'sent' }>;

export interface MailerOptions {
  /** Base of the links in emails (unsubscribe, preferences, confirmation). */
  publicUrl: string;
  /** SMTP relay for every workspace without its own smtp_url; none: the outbox. */
  smtpUrl?: string | undefined;
}

/** The only object that can hand a message to a transport; it checks every message first. */
export interface Mailer {
  send(db: Kysely<Database>, request: SendRequest): Promise<SendOutcome>;
  /** The gate's decision without sending (previews, QA). */
  check(db: Kysely<Database>, request: SendRequest): Promise<SendOutcome | { status: 'allowed' }>;
  readonly publicUrl: string;
  close(): Promise<void>;
}

export function createMailer(options: MailerOptions): Mailer {
  const outbox = createOutboxTransport();
  const smtpPools = new Map<string, Transport>();
  const transportFor = (policies: WorkspacePolicies): Transport => {
    const url = policies.smtp_url ?? options.smtpUrl;
    if (!url) return outbox;
    let pool = smtpPools.get(url);
    if (!pool) smtpPools.set(url, (pool = createSmtpTransport(url)));
    return pool;
  };
  return {
    publicUrl: options.publicUrl,
    async check(db, request) {
      const decision = await decide(db, request);
      return 'ok' in decision ? { status: 'allowed' } : decision;
    },
    async send(db, request) {
      const decision = await decide(db, request);
      if (!('ok' in decision)) return decision;
      // Before any transport: an SMTP relay cannot take a message back.
      if (request.messageId && (await selectMessage(db, request.workspaceId, request.messageId))) {
        throw new AppError('conflict', `message ${request.messageId} was already sent`, { field: 'messageId' });
      }
      const cleared = await clear(db, options.publicUrl, request, decision);
      const transport = transportFor(decision.policies);
      const { messageId } = await transport.deliver(db, cleared);
      return { status: 'sent', messageId, transport: transport.name };
    },
    async close() {
      await Promise.all([...smtpPools.values()].map((t) => t.close()));
      smtpPools.clear();
    },
  };
}

async function clear(db: Kysely<Database>, publicUrl: string, request: SendRequest, d: { topic: Topic; policies: WorkspacePolicies; to: string }): Promise<ClearedEmail> {
  const from = d.policies.sender_name ? `"${d.policies.sender_name.replace(/["\\]/g, '')}" <${d.policies.sender_email}>` : d.policies.sender_email!;
  const base = { messageId: request.messageId ?? null, workspaceId: request.workspaceId, contactId: request.contactId, topicId: d.topic.id, kind: request.kind, to: d.to, from };
  if (request.kind === 'transactional') {
    return { ...base, subject: request.content.subject, text: request.content.text, html: request.content.html ?? null, headers: {} };
  }
  const composed = await composeMarketingEmail(db, publicUrl, d.policies, { workspaceId: request.workspaceId, contactId: request.contactId, topic: d.topic, ...request.content });
  return { ...base, ...composed };
}

/** Every check, in order; the first that fails decides. */
async function decide(db: Kysely<Database>, request: SendRequest): Promise<Decision> {
  checkRequest(request);
  const channel = request.channel ?? 'email';
  const topic = await getTopicByKey(db, request.workspaceId, request.topicKey);
  const contact = await getContact(db, request.workspaceId, request.contactId);
  const block = (reason: BlockReason, detail: string): Decision => ({ status: 'blocked', reason, detail });
  if (!topic.channels.includes(channel)) return block('channel_not_in_topic', `topic ${topic.key} is not sent on ${channel} (its channels: ${topic.channels.join(', ')})`);
  if (channel !== 'email') return block('no_transport', `no transport for the ${channel} channel yet`);
  if (!contact.email) return block('no_address', `contact ${contact.id} has no email address`);
  const policies = await getPolicies(db, request.workspaceId);
  if (!policies.sender_email) return block('no_sender', 'the workspace has no sender_email (PATCH /api/v1/policies)');
  const marketing = request.kind === 'marketing';
  if (marketing && !policies.postal_address) return block('no_postal_address', 'marketing email needs the sender postal address (CAN-SPAM): set postal_address');
  const suppression = (await findSuppressionsFor(db, request.workspaceId, contact.email, policies)).find(
    (s) => s.scope === 'global' || (s.scope === 'topic' && s.topic_id === topic.id) || (s.scope === 'channel' && s.channel === channel),
  );
  if (suppression) return block('suppressed', `suppressed (${suppression.scope}, ${suppression.reason})`);
  if (!marketing) return { ok: true, topic, policies, to: contact.email };
  if (!(await isSubscribed(db, request.workspaceId, contact.id, topic))) {
    return block('no_consent', `no lawful basis to send topic ${topic.key} (${topic.regime}) to contact ${contact.id}`);
  }
  const now = request.now ?? new Date();
  if (request.priority !== 'high') {
    const capped = await frequencyCapReached(db, request.workspaceId, contact.id, policies, now);
    if (capped) return block('frequency_cap', capped);
  }
  const notBefore = quietHoursEnd(policies, contact.timezone, now);
  if (notBefore) return { status: 'deferred', reason: 'quiet_hours', notBefore, detail: `quiet hours for the contact until ${notBefore.toISOString()}` };
  return { ok: true, topic, policies, to: contact.email };
}

async function frequencyCapReached(db: Kysely<Database>, workspaceId: string, contactId: string, p: WorkspacePolicies, now: Date): Promise<string | null> {
  const caps: Array<[number | null, number, string]> = [
    [p.max_per_day, 24, 'day'],
    [p.max_per_week, 24 * 7, 'week'],
  ];
  for (const [cap, hours, label] of caps) {
    if (cap === null) continue;
    const sent = await countMarketingSince(db, workspaceId, contactId, new Date(now.getTime() - hours * 3_600_000));
    if (sent >= cap) return `${sent} marketing messages in the last ${label}; the cap is ${cap}`;
  }
  return null;
}

function checkRequest(r: SendRequest): void {
  if (r.kind !== 'marketing' && r.kind !== 'transactional') throw new AppError('invalid', `kind must be "marketing" or "transactional", got ${JSON.stringify(r.kind)}`, { field: 'kind' });
  if (r.priority !== undefined && r.priority !== 'normal' && r.priority !== 'high') throw new AppError('invalid', `priority must be "normal" or "high", got ${JSON.stringify(r.priority)}`, { field: 'priority' });
  const subject = r.content?.subject;
  if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 998 || /[\r\n]/.test(subject)) {
    throw new AppError('invalid', `content.subject must be one line of 1 to 998 characters, got ${JSON.stringify(String(subject).slice(0, 60))}`, { field: 'content.subject' });
  }
  if (r.messageId !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(r.messageId)) {
    throw new AppError('invalid', `messageId must be a uuid, got ${JSON.stringify(String(r.messageId).slice(0, 60))}`, { field: 'messageId' });
  }
  if (typeof r.content.text !== 'string' || r.content.text.length > 1_000_000) throw new AppError('invalid', 'content.text must be text of at most 1 MB', { field: 'content.text' });
}
