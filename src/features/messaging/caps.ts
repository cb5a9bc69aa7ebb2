import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Channel, WorkspacePolicies } from '../consent/index.ts';
import { selectRecentMarketing } from './messages.queries.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;

/** One frequency cap: at most `limit` marketing messages on `channels` per rolling `periodMs`. */
export interface FrequencyCap {
  setting: string;
  limit: number;
  periodMs: number;
  channels: readonly Channel[];
}

export interface SentMessage {
  channel: string;
  sent_at: Date;
}

/**
 * The caps that bind a message on a channel: max_per_day / max_per_week count email and
 * SMS together (their meaning before channels existed, when email was the only one), and
 * each channel has its own. Webhooks reach your systems, not the contact: no caps.
 */
export function capsFor(p: WorkspacePolicies, channel: Channel): FrequencyCap[] {
  if (channel === 'webhook') return [];
  const all: Array<[string, number | null, number, readonly Channel[]]> = [
    ['max_per_day', p.max_per_day, DAY, ['email', 'sms']],
    ['max_per_week', p.max_per_week, WEEK, ['email', 'sms']],
    [`${channel}_max_per_day`, channel === 'email' ? p.email_max_per_day : p.sms_max_per_day, DAY, [channel]],
    [`${channel}_max_per_week`, channel === 'email' ? p.email_max_per_week : p.sms_max_per_week, WEEK, [channel]],
  ];
  return all.filter((c): c is [string, number, number, readonly Channel[]] => c[1] !== null).map(([setting, limit, periodMs, channels]) => ({ setting, limit, periodMs, channels }));
}

/**
 * Arbitration by priority: a message whose priority is below `reservePriority` may not
 * take the last free slot of a cap of 2 or more, which stays for higher-priority journeys.
 * Returns when the message may go (the earliest time every cap has room) or null if now.
 */
export function evaluateCaps(sent: readonly SentMessage[], caps: readonly FrequencyCap[], priority: number, reservePriority: number, now: Date): { notBefore: Date; detail: string } | null {
  let worst: { notBefore: Date; detail: string } | null = null;
  for (const cap of caps) {
    const since = now.getTime() - cap.periodMs;
    const counted = sent
      .filter((m) => cap.channels.includes(m.channel as Channel) && m.sent_at.getTime() > since && m.sent_at.getTime() <= now.getTime())
      .map((m) => m.sent_at.getTime())
      .sort((a, b) => a - b);
    const reserved = priority < reservePriority && cap.limit >= 2 ? 1 : 0;
    const allowed = cap.limit - reserved;
    if (counted.length < allowed) continue;
    // The slot frees when enough of the counted messages have aged out of the window.
    const notBefore = new Date(counted[counted.length - allowed]! + cap.periodMs);
    const detail = `${counted.length} marketing messages in the period of ${cap.setting} (cap ${cap.limit}${reserved ? `, the last slot reserved for priority >= ${reservePriority}; this message has ${priority}` : ''})`;
    if (!worst || notBefore > worst.notBefore) worst = { notBefore, detail };
  }
  return worst;
}

/** The caps check of the gate: one query for the contact's marketing messages of the last week. */
export async function checkFrequencyCaps(db: Kysely<Database>, workspaceId: string, contactId: string, p: WorkspacePolicies, channel: Channel, priority: number, now: Date) {
  const caps = capsFor(p, channel);
  if (caps.length === 0) return null;
  const longest = Math.max(...caps.map((c) => c.periodMs));
  const sent = await selectRecentMarketing(db, workspaceId, contactId, new Date(now.getTime() - longest));
  return evaluateCaps(sent, caps, priority, p.cap_reserve_priority, now);
}
