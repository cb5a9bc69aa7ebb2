import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import { enqueueAudienceWork, eventChange } from '../audiences/index.ts';
import { getContactCores } from '../contacts/index.ts';
import { storeEvents, type EventInsert } from '../events/index.ts';
import { classifyOpen } from './machine-open.ts';
import type { TrackedClick, TrackedMessage } from './tracking-token.ts';
import { utmOf } from './utm-rules.ts';

export const EMAIL_OPENED = 'Email Opened';
export const EMAIL_LINK_CLICKED = 'Email Link Clicked';

export interface HitClient {
  ip: string | null;
  userAgent: string | null;
}

/**
 * Records an open on the contact (every open: reports count unique and total). Returns
 * false when the contact no longer exists (erased or merged away): nothing is stored.
 */
export async function recordEmailOpen(db: Kysely<Database>, message: TrackedMessage, client: HitClient, now = new Date()): Promise<boolean> {
  const machine = classifyOpen(client.userAgent, now, message.issuedAt);
  return recordHit(db, message, EMAIL_OPENED, { machine_open: machine.machine, machine_open_reason: machine.reason }, null, client, now);
}

/** Records a click with its destination and UTM parameters (an email touchpoint for attribution). */
export async function recordEmailClick(db: Kysely<Database>, click: TrackedClick, client: HitClient, now = new Date()): Promise<boolean> {
  return recordHit(db, click, EMAIL_LINK_CLICKED, { url: click.url, link_index: click.linkIndex }, click.url, client, now);
}

async function recordHit(db: Kysely<Database>, m: TrackedMessage, name: string, extra: Record<string, unknown>, url: string | null, client: HitClient, now: Date): Promise<boolean> {
  const [contact] = await getContactCores(db, m.workspaceId, [m.contactId]);
  if (!contact) return false;
  const utm = url ? utmOf(url) : { utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null };
  const properties = {
    message_id: m.messageId,
    template: m.templateKey,
    template_version: m.templateVersion,
    journey_id: m.journeyId,
    journey_version: m.journeyVersion,
    step_id: m.stepId,
    variant: m.variant,
    ...extra,
    // Attribution reads an email click's source, campaign and content from these.
    ...(url ? { utm_source: utm.utm_source, utm_medium: utm.utm_medium, utm_campaign: utm.utm_campaign, utm_content: utm.utm_content, utm_term: utm.utm_term } : {}),
  };
  const at = now.toISOString();
  const row: EventInsert = {
    message_id: `keel-${name === EMAIL_OPENED ? 'open' : 'click'}-${randomUUID()}`,
    type: 'track',
    name,
    contact_id: m.contactId,
    user_id: null,
    anonymous_id: null,
    group_id: null,
    properties,
    traits: {},
    context: { library: { name: 'keel-email-tracking' }, ...(client.ip ? { ip: client.ip } : {}), ...(client.userAgent ? { userAgent: client.userAgent } : {}) },
    page_url: null,
    referrer: null,
    ...utm,
    timestamp: at,
    original_timestamp: null,
    sent_at: null,
    received_at: at,
  };
  await inTransaction(db, async (trx) => {
    await storeEvents(trx, m.workspaceId, [row]);
    // An open or click changes nothing of the contact but its events.
    await enqueueAudienceWork(trx, m.workspaceId, { contactChanges: new Map([[m.contactId, [eventChange(name)]]]) });
  });
  return true;
}
