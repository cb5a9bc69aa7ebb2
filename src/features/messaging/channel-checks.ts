import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { findPhoneSuppressions, findSuppressionsFor, type Channel, type Suppression, type Topic, type WorkspacePolicies } from '../consent/index.ts';
import type { getContact } from '../contacts/index.ts';
import { checkPhone } from '../normalization/index.ts';
import type { BlockReason, SendRequest, WebhookContent } from './send-request.ts';

type Contact = Awaited<ReturnType<typeof getContact>>;
export type ChannelCheck = { ok: true; to: string; from: string } | { ok: false; reason: BlockReason; detail: string };

const block = (reason: BlockReason, detail: string): ChannelCheck => ({ ok: false, reason, detail });

/**
 * The per-channel checks: an address on the channel, a sender, and the suppressions that
 * apply to it. Email: the contact's email, sender_email, postal_address for marketing;
 * suppressions global, of the topic, or of the email channel. SMS: the contact's phone
 * in E.164, the same email-keyed suppressions for the sms channel when the contact has
 * an email, and the number's own opt-outs (STOP). Webhook: an internal notification to
 * your own systems, so no consent and no suppressions apply (they protect the person's
 * inbox and phone, not your CRM), but the URL's host must be in webhook_allowed_hosts so
 * that nobody can post contact data to an arbitrary host, and a webhook_secret must exist
 * so that the receiver can verify the signature.
 */
export async function checkChannel(db: Kysely<Database>, request: SendRequest, channel: Channel, topic: Topic, contact: Contact, p: WorkspacePolicies): Promise<ChannelCheck> {
  if (channel === 'webhook') return checkWebhook((request.content as WebhookContent).url, p);
  if (channel === 'email') {
    if (!contact.email) return block('no_address', `contact ${contact.id} has no email address`);
    if (!p.sender_email) return block('no_sender', 'the workspace has no sender_email (PATCH /api/v1/policies)');
    if (request.kind === 'marketing' && !p.postal_address) return block('no_postal_address', 'marketing email needs the sender postal address (CAN-SPAM): set postal_address');
    const suppression = firstApplying(await findSuppressionsFor(db, request.workspaceId, contact.email, p), topic, 'email');
    if (suppression) return block('suppressed', `suppressed (${suppression.scope}, ${suppression.reason})`);
    const from = p.sender_name ? `"${p.sender_name.replace(/["\\]/g, '')}" <${p.sender_email}>` : p.sender_email;
    return { ok: true, to: contact.email, from };
  }
  if (!contact.phone) return block('no_address', `contact ${contact.id} has no phone number`);
  const phone = checkPhone(contact.phone, contact.country ?? undefined);
  if (!phone.ok) return block('no_address', `contact ${contact.id} has no phone number in E.164: ${JSON.stringify(contact.phone)} is ${phone.reason}`);
  const byEmail = contact.email ? await findSuppressionsFor(db, request.workspaceId, contact.email, p) : [];
  const suppression = firstApplying([...byEmail, ...(await findPhoneSuppressions(db, request.workspaceId, phone.e164))], topic, 'sms');
  if (suppression) return block('suppressed', `suppressed (${suppression.scope}${suppression.channel ? ` ${suppression.channel}` : ''}, ${suppression.reason})`);
  if (p.sms_base_url && !p.sms_from) return block('no_sender', 'the workspace has an SMS provider but no sms from number');
  return { ok: true, to: phone.e164, from: p.sms_from ?? 'outbox' };
}

function firstApplying(suppressions: Suppression[], topic: Topic, channel: Channel): Suppression | undefined {
  return suppressions.find((s) => s.scope === 'global' || (s.scope === 'topic' && s.topic_id === topic.id) || (s.scope === 'channel' && s.channel === channel));
}

/** Exact host names, or "*.example.com" for its subdomains; with a port, only that port. */
export function isHostAllowed(url: URL, allowed: readonly string[]): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port;
  return allowed.some((entry) => {
    const [name, allowedPort] = entry.split(':') as [string, string | undefined];
    if (allowedPort !== undefined && allowedPort !== port) return false;
    return name.startsWith('*.') ? host.endsWith(name.slice(1)) && host.length > name.length - 1 : host === name;
  });
}

function checkWebhook(url: string, p: WorkspacePolicies): ChannelCheck {
  const parsed = new URL(url);
  if (!isHostAllowed(parsed, p.webhook_allowed_hosts)) {
    return block('host_not_allowed', `webhook host ${JSON.stringify(parsed.host)} is not in the workspace's webhook_allowed_hosts (${p.webhook_allowed_hosts.join(', ') || 'none'})`);
  }
  if (!p.webhook_secret) return block('no_webhook_secret', 'the workspace has no webhook_secret to sign webhooks with (PATCH /api/v1/policies)');
  return { ok: true, to: url, from: '' };
}
