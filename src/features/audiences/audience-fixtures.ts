// Test builders: people, accounts and events sent through the real ingest path.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';

export const NOW = new Date('2026-06-01T00:00:00.000Z');
export const daysAgo = (days: number, from = NOW) => new Date(from.getTime() - days * 86_400_000).toISOString();

export interface PersonSpec {
  userId: string;
  traits?: Record<string, unknown>;
  account?: { id: string; traits: Record<string, unknown> };
  events?: Array<{ name: string; daysAgo: number; properties?: Record<string, unknown>; type?: 'track' | 'page' }>;
}

let sequence = 0;

/** Sends identify, group and track/page calls for each person, then processes the inbox. */
export async function ingestPeople(db: Kysely<Database>, workspaceId: string, people: PersonSpec[], at = NOW): Promise<void> {
  const events: Array<Record<string, unknown>> = [];
  for (const p of people) {
    const stamp = (d: number) => daysAgo(d, at);
    if (p.traits) events.push({ type: 'identify', userId: p.userId, traits: p.traits, timestamp: stamp(200), messageId: `m-${++sequence}` });
    if (p.account) events.push({ type: 'group', userId: p.userId, groupId: p.account.id, traits: p.account.traits, timestamp: stamp(199), messageId: `m-${++sequence}` });
    for (const e of p.events ?? []) {
      const base = { userId: p.userId, properties: e.properties ?? {}, timestamp: stamp(e.daysAgo), messageId: `m-${++sequence}` };
      events.push(e.type === 'page' ? { ...base, type: 'page', name: e.name } : { ...base, type: 'track', event: e.name });
    }
  }
  for (let i = 0; i < events.length; i += 500) {
    await acceptEvents(db, workspaceId, { events: events.slice(i, i + 500), receivedAt: at });
  }
  await processInbox(db);
}
