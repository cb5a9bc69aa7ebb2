// Delivery measures of a journey's messages, grouped (by step, variant or not at all): the
// pure part of the campaign report, fed by messaging's message log, the tracking and bounce
// events, consent's opt-outs and journeys' run outcomes.
import type { JourneyMessage } from '../messaging/index.ts';

export const OPENED = 'Email Opened';
export const CLICKED = 'Email Link Clicked';
export const BOUNCED = 'Email Bounced';

/** What the events and consent records say about one message. */
export interface MessageFacts {
  opens: number;
  humanOpens: number;
  clicks: number;
  hardBounce: boolean;
  softBounce: boolean;
  unsubscribed: boolean;
  /** The recipient's run converted at or after the send. */
  converted: boolean;
}

export interface DeliveryMeasures {
  sent: number;
  delivered: number;
  bounced: number;
  bounced_hard: number;
  bounced_soft: number;
  opened_unique: number;
  opened_total: number;
  human_opened_unique: number;
  human_opened_total: number;
  machine_opened_total: number;
  clicked_unique: number;
  clicked_total: number;
  open_rate: number | null;
  human_open_rate: number | null;
  click_rate: number | null;
  click_to_open: number | null;
  click_to_human_open: number | null;
  unsubscribed: number;
  unsubscribe_rate: number | null;
  /** Recipients (distinct contacts) whose run converted after a message of this group. */
  converted_recipients: number;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Sums messages into delivery measures: unique counts are messages, unsubscribes and conversions are contacts. */
export function measureDelivery(messages: readonly JourneyMessage[], facts: ReadonlyMap<string, MessageFacts>): DeliveryMeasures {
  const m = { sent: 0, delivered: 0, bounced: 0, bounced_hard: 0, bounced_soft: 0, opened_unique: 0, opened_total: 0, human_opened_unique: 0, human_opened_total: 0, clicked_unique: 0, clicked_total: 0 };
  const unsubscribed = new Set<string>();
  const converted = new Set<string>();
  for (const message of messages) {
    const f = facts.get(message.id);
    m.sent += 1;
    const hard = message.status === 'bounced' || (f?.hardBounce ?? false);
    const soft = !hard && (f?.softBounce ?? false);
    if (hard) m.bounced_hard += 1;
    if (soft) m.bounced_soft += 1;
    if (hard || soft) m.bounced += 1;
    else if (message.status === 'sent') m.delivered += 1;
    if (!f) continue;
    m.opened_total += f.opens;
    m.human_opened_total += f.humanOpens;
    m.clicked_total += f.clicks;
    if (f.opens > 0) m.opened_unique += 1;
    if (f.humanOpens > 0) m.human_opened_unique += 1;
    if (f.clicks > 0) m.clicked_unique += 1;
    if (message.contact_id && f.unsubscribed) unsubscribed.add(message.contact_id);
    if (message.contact_id && f.converted) converted.add(message.contact_id);
  }
  return {
    ...m,
    machine_opened_total: m.opened_total - m.human_opened_total,
    open_rate: ratio(m.opened_unique, m.delivered),
    human_open_rate: ratio(m.human_opened_unique, m.delivered),
    click_rate: ratio(m.clicked_unique, m.delivered),
    click_to_open: ratio(m.clicked_unique, m.opened_unique),
    click_to_human_open: ratio(m.clicked_unique, m.human_opened_unique),
    unsubscribed: unsubscribed.size,
    unsubscribe_rate: ratio(unsubscribed.size, m.delivered),
    converted_recipients: converted.size,
  };
}

export interface OptOut {
  contact_id: string;
  recorded_at: Date | string;
}

/**
 * The unsubscribe rule: an opt-out is attributed to the latest message of the journey sent
 * to that contact at or before it, when it came at most `windowDays` after that message.
 * (Consent records do not carry the message whose link was used, so time decides.)
 * Returns the ids of the messages that got an unsubscribe.
 */
export function attributeOptOuts(messages: readonly JourneyMessage[], optOuts: readonly OptOut[], windowDays: number): Set<string> {
  const byContact = new Map<string, JourneyMessage[]>();
  for (const message of messages) if (message.contact_id) (byContact.get(message.contact_id) ?? byContact.set(message.contact_id, []).get(message.contact_id)!).push(message);
  const windowMs = windowDays * 86_400_000;
  const hit = new Set<string>();
  for (const o of optOuts) {
    const at = new Date(o.recorded_at).getTime();
    let latest: JourneyMessage | undefined;
    for (const message of byContact.get(o.contact_id) ?? []) {
      const sent = new Date(message.sent_at).getTime();
      if (sent <= at && (!latest || sent >= new Date(latest.sent_at).getTime())) latest = message;
    }
    if (latest && at - new Date(latest.sent_at).getTime() <= windowMs) hit.add(latest.id);
  }
  return hit;
}
