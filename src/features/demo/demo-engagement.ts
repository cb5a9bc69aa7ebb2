// The demo's outbox has no readers, so nobody opens or clicks the nurture journey's email.
// So that the campaign report shows more than sends, a small, labelled share of the sent
// messages gets tracking hits through email-tracking's own services, from the tokens in
// the stored email (the same path as GET /t/o and /t/c). The user agent names the seed.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { recordEmailClick, recordEmailOpen, verifyClickToken, verifyOpenToken } from '../email-tracking/index.ts';
import { getJourney } from '../journeys/index.ts';
import { getMessage, listJourneyMessages } from '../messaging/index.ts';
import { DEMO_NURTURE_KEY } from './demo-nurture.ts';

/** The seeded hits' user agent: a person's mail client, named so nobody mistakes it for a real open. */
export const DEMO_SEED_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) KeelDemoSeed/1.0';
/** Apple Mail Privacy Protection's proxy sends exactly this: classified as a machine open. */
const APPLE_PROXY_AGENT = 'Mozilla/5.0';

export interface DemoEngagementResult {
  messages: number;
  humanOpens: number;
  machineOpens: number;
  clicks: number;
}

/**
 * Records hits on every third sent nurture email (at most 60 emails): every other one first
 * gets a proxy prefetch (a machine open), each gets a human open, every fourth a click on
 * its first link. Only messages sent more than 15 s ago are used (an earlier open would be
 * "too soon" for a person). Returns null while fewer than `minMessages` are eligible.
 */
export async function seedDemoEngagement(db: Kysely<Database>, workspaceId: string, options: { minMessages?: number; now?: Date } = {}): Promise<DemoEngagementResult | null> {
  const journey = await getJourney(db, workspaceId, DEMO_NURTURE_KEY);
  const now = options.now ?? new Date();
  const cutoff = now.getTime() - 15_000;
  const eligible = (await listJourneyMessages(db, workspaceId, journey.id)).filter((m) => m.channel === 'email' && m.status === 'sent' && new Date(m.sent_at).getTime() < cutoff);
  if (eligible.length < (options.minMessages ?? 1)) return null;
  const picked = eligible.filter((_, i) => i % 3 === 0).slice(0, 60);
  const result: DemoEngagementResult = { messages: picked.length, humanOpens: 0, machineOpens: 0, clicks: 0 };
  const client = (userAgent: string) => ({ ip: null, userAgent });
  for (const [i, m] of picked.entries()) {
    const html = (await getMessage(db, workspaceId, m.id)).html_body ?? '';
    const open = /\/t\/o\/([A-Za-z0-9._~-]+?)\.gif"/.exec(html)?.[1];
    const click = /\/t\/c\/([A-Za-z0-9._~-]+)"/.exec(html)?.[1];
    if (!open) continue;
    const tracked = await verifyOpenToken(db, open);
    if (i % 2 === 0 && (await recordEmailOpen(db, tracked, client(APPLE_PROXY_AGENT), now))) result.machineOpens += 1;
    if (await recordEmailOpen(db, tracked, client(DEMO_SEED_AGENT), now)) result.humanOpens += 1;
    if (click && i % 4 === 0 && (await recordEmailClick(db, await verifyClickToken(db, click), client(DEMO_SEED_AGENT), now))) result.clicks += 1;
  }
  return result;
}
