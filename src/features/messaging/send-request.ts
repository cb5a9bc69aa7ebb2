import { AppError } from '../../platform/errors.ts';
import type { MessageKind } from '../../platform/db/schema.ts';
import type { Channel } from '../consent/index.ts';

export interface EmailContent {
  subject: string;
  text: string;
  html?: string | null | undefined;
}
export interface SmsContent {
  text: string;
}
export interface WebhookContent {
  /** http(s) URL whose host the workspace allows (policies webhook_allowed_hosts). */
  url: string;
  /** Any JSON value; posted as the body, signed with the workspace's webhook secret. */
  payload: unknown;
}

/** Which journey step a message belongs to (stored on the message row). */
export interface JourneyRef {
  id: string;
  version: number;
  stepId: string;
  variant?: string | undefined;
  /** 0-100, default 50: below the workspace's cap_reserve_priority a message may not take the last free slot of a cap. */
  priority?: number | undefined;
  /** Throttle: at most this many sends of the journey (all versions) per rolling hour. */
  maxPerHour?: number | undefined;
}

/**
 * What any sender (API, double opt-in, journeys, campaigns) passes to the gate. Without
 * `channel` it is an email, as before channels existed.
 *
 * @example
 * await mailer.send(db, { workspaceId, contactId, topicKey: 'newsletter', kind: 'marketing',
 *   content: { subject: 'May news', text: 'Hello' } });
 * await mailer.send(db, { workspaceId, contactId, topicKey: 'sales-alerts', kind: 'transactional', channel: 'webhook',
 *   content: { url: 'https://hooks.acme.example/keel', payload: { event: 'mql' } } });
 */
export interface SendRequest {
  workspaceId: string;
  contactId: string;
  /** Every message belongs to a topic: its channels, consent and suppressions apply. */
  topicKey: string;
  channel?: Channel | undefined;
  /**
   * marketing: needs a lawful basis on the topic, obeys caps and quiet hours.
   * transactional (confirmations, receipts): no consent needed, no caps or quiet hours;
   * suppressions still apply.
   */
  kind: MessageKind;
  /** high: a marketing message that may exceed the frequency caps (still counted). */
  priority?: 'normal' | 'high' | undefined;
  /** email { subject, text, html? }, sms { text }, webhook { url, payload }. */
  content: EmailContent | SmsContent | WebhookContent;
  journey?: JourneyRef | undefined;
  /** Clock of the decision (tests, replays, simulations); also the message's sent_at. */
  now?: Date | undefined;
  /**
   * The id the message gets in the log (a uuid chosen by the caller, e.g. derived from a
   * journey step's idempotency key): a second send with the same id is refused as a
   * conflict, and a caller that crashed can look the id up to learn whether it went out.
   */
  messageId?: string | undefined;
}

export type BlockReason =
  | 'no_address'
  | 'channel_not_in_topic'
  | 'no_transport'
  | 'no_sender'
  | 'no_postal_address'
  | 'suppressed'
  | 'no_consent'
  | 'host_not_allowed'
  | 'no_webhook_secret'
  | 'bounced'
  | 'rejected';

export type DeferReason = 'quiet_hours' | 'throttled' | 'frequency_cap';

export type SendOutcome =
  | { status: 'sent'; messageId: string; transport: string }
  /** Accepted and logged; the first attempt failed softly and a retry is scheduled. */
  | { status: 'queued'; messageId: string; transport: string; nextAttemptAt: Date; detail: string }
  /** Not sent. `messageId` when a message row records the refusal (hard bounce, dead webhook). */
  | { status: 'blocked'; reason: BlockReason; detail: string; messageId?: string }
  | { status: 'deferred'; reason: DeferReason; notBefore: Date; detail: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHANNEL_NAMES = ['email', 'sms', 'webhook'];

const invalid = (field: string, message: string) => new AppError('invalid', `${field} ${message}`, { field });
const shown = (v: unknown) => JSON.stringify(typeof v === 'string' ? v.slice(0, 60) : v);

/** Shape checks of a request (the gate's decisions come after). */
export function checkRequest(r: SendRequest): Channel {
  if (r.kind !== 'marketing' && r.kind !== 'transactional') throw new AppError('invalid', `kind must be "marketing" or "transactional", got ${JSON.stringify(r.kind)}`, { field: 'kind' });
  if (r.priority !== undefined && r.priority !== 'normal' && r.priority !== 'high') throw new AppError('invalid', `priority must be "normal" or "high", got ${JSON.stringify(r.priority)}`, { field: 'priority' });
  const channel = r.channel ?? 'email';
  if (!CHANNEL_NAMES.includes(channel)) throw invalid('channel', `must be one of email, sms, webhook, got ${shown(channel)}`);
  if (r.messageId !== undefined && (typeof r.messageId !== 'string' || !UUID.test(r.messageId))) throw invalid('messageId', `must be a uuid, got ${shown(r.messageId)}`);
  if (typeof r.content !== 'object' || r.content === null) throw invalid('content', `must be an object, got ${shown(r.content)}`);
  if (channel === 'email') checkEmailContent(r.content as EmailContent);
  if (channel === 'sms') checkSmsContent(r.content as SmsContent);
  if (channel === 'webhook') checkWebhookContent(r.content as WebhookContent);
  if (r.journey !== undefined) checkJourney(r.journey);
  if (r.now !== undefined && (!(r.now instanceof Date) || Number.isNaN(r.now.getTime()))) throw invalid('now', 'must be a valid Date');
  return channel;
}

function checkEmailContent(c: EmailContent): void {
  const subject = c.subject;
  if (typeof subject !== 'string' || subject.trim() === '' || subject.length > 998 || /[\r\n]/.test(subject)) {
    throw new AppError('invalid', `content.subject must be one line of 1 to 998 characters, got ${JSON.stringify(String(subject).slice(0, 60))}`, { field: 'content.subject' });
  }
  if (typeof c.text !== 'string' || c.text.length > 1_000_000) throw new AppError('invalid', 'content.text must be text of at most 1 MB', { field: 'content.text' });
  if (c.html !== undefined && c.html !== null && (typeof c.html !== 'string' || c.html.length > 1_000_000)) throw invalid('content.html', 'must be text of at most 1 MB');
}

function checkSmsContent(c: SmsContent): void {
  // 10 concatenated segments of 153 GSM characters: longer texts are refused by most carriers.
  if (typeof c.text !== 'string' || c.text.trim() === '' || c.text.length > 1600) throw invalid('content.text', `must be 1 to 1600 characters for SMS, got ${shown(c.text)}`);
}

function checkWebhookContent(c: WebhookContent): void {
  let url: URL | undefined;
  try {
    url = typeof c.url === 'string' ? new URL(c.url) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) {
    throw invalid('content.url', `must be an http(s) URL without credentials, got ${shown(c.url)}`);
  }
  if (c.payload === undefined) throw invalid('content.payload', 'must be a JSON value');
  const body = JSON.stringify(c.payload);
  if (body.length > 256 * 1024) throw invalid('content.payload', `must be at most 256 KB as JSON, got ${body.length} bytes`);
}

function checkJourney(j: JourneyRef): void {
  if (typeof j !== 'object' || j === null) throw invalid('journey', 'must be an object { id, version, stepId }');
  if (typeof j.id !== 'string' || j.id === '' || j.id.length > 200) throw invalid('journey.id', `must be 1 to 200 characters, got ${shown(j.id)}`);
  if (!Number.isInteger(j.version) || j.version < 1) throw invalid('journey.version', `must be a positive integer, got ${shown(j.version)}`);
  if (typeof j.stepId !== 'string' || j.stepId === '' || j.stepId.length > 200) throw invalid('journey.stepId', `must be 1 to 200 characters, got ${shown(j.stepId)}`);
  if (j.variant !== undefined && (typeof j.variant !== 'string' || j.variant.length > 200)) throw invalid('journey.variant', `must be at most 200 characters, got ${shown(j.variant)}`);
  if (j.priority !== undefined && (!Number.isInteger(j.priority) || j.priority < 0 || j.priority > 100)) throw invalid('journey.priority', `must be an integer from 0 to 100, got ${shown(j.priority)}`);
  if (j.maxPerHour !== undefined && (!Number.isInteger(j.maxPerHour) || j.maxPerHour < 1)) throw invalid('journey.maxPerHour', `must be a positive integer, got ${shown(j.maxPerHour)}`);
}

/** The default journey priority (and that of messages outside journeys). */
export const DEFAULT_PRIORITY = 50;
