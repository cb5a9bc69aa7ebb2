import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from './platform/db/test-database.ts';
import { silentLogger } from './platform/logger.ts';
import { startServer, type RunningServer } from './server.ts';
import { createWorkspace, type CreatedWorkspace } from './features/workspaces/index.ts';

let db: Db;
let server: RunningServer;
let base: string;

beforeAll(async () => {
  db = await openTestDatabase();
  server = await startServer({ db, logger: silentLogger(), role: 'all', port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
  await db.close();
});

async function stats(ws: CreatedWorkspace) {
  const res = await fetch(`${base}/api/v1/stats`, { headers: { authorization: `Bearer ${ws.adminKey.key}` } });
  return (await res.json()) as { events: number; contacts: number; accounts: number; pending_events: number; rejected_events: number };
}

/** The worker runs in the server process: wait until it has processed everything. */
async function waitForEvents(ws: CreatedWorkspace, count: number) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await stats(ws);
    if (s.events >= count && s.pending_events === 0) return s;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe(`official SDKs against a real HTTP server (${testDatabaseLabel})`, () => {
  it('delivers every event sent with @segment/analytics-node, stitched into contacts and accounts', async () => {
    const ws = await createWorkspace(db.kysely, 'segment-sdk');
    const analytics = new Analytics({ writeKey: ws.writeKey.key, host: base, path: '/v1/batch', flushAt: 25, flushInterval: 200, maxRetries: 0 });
    const errors: unknown[] = [];
    analytics.on('error', (e) => errors.push(e));
    for (let i = 0; i < 40; i += 1) analytics.page({ anonymousId: `visitor-${i}`, name: 'Pricing', properties: { url: `https://keel.dev/pricing?utm_source=google&utm_medium=cpc&utm_campaign=brand` } });
    for (let i = 0; i < 40; i += 1) {
      analytics.identify({ userId: `user-${i}`, anonymousId: `visitor-${i}`, traits: { email: `user${i}@corp${i % 4}.com`, title: 'VP Marketing' } });
      analytics.group({ userId: `user-${i}`, groupId: `corp-${i % 4}`, traits: { name: `Corp ${i % 4}`, employees: 1000 * (i % 4) } });
      analytics.track({ userId: `user-${i}`, event: 'Demo Requested', properties: { plan: 'enterprise' } });
    }
    analytics.alias({ userId: 'user-0', previousId: 'legacy-0' });
    await analytics.closeAndFlush({ timeout: 15_000 });
    expect(errors).toEqual([]);
    const s = await waitForEvents(ws, 161);
    expect(s).toMatchObject({ events: 161, contacts: 40, accounts: 4, rejected_events: 0 });
    const found = await fetch(`${base}/api/v1/contacts?email=user7@corp3.com`, { headers: { authorization: `Bearer ${ws.adminKey.key}` } });
    const contact = ((await found.json()) as { data: Array<{ id: string; title: string }> }).data[0]!;
    expect(contact.title).toBe('VP Marketing');
    const timeline = await fetch(`${base}/api/v1/contacts/${contact.id}/events`, { headers: { authorization: `Bearer ${ws.adminKey.key}` } });
    const types = ((await timeline.json()) as { data: Array<{ type: string; utm_source: string | null }> }).data;
    expect(types.map((e) => e.type).sort()).toEqual(['group', 'identify', 'page', 'track']);
    expect(types.find((e) => e.type === 'page')?.utm_source).toBe('google');
  });

  it('delivers gzipped batches from @rudderstack/rudder-sdk-node', async () => {
    const ws = await createWorkspace(db.kysely, 'rudder-sdk');
    const client = new RudderAnalytics(ws.writeKey.key, { dataPlaneUrl: base, flushAt: 10, flushInterval: 200, gzip: true, retryCount: 0, logLevel: 'error' });
    for (let i = 0; i < 30; i += 1) client.track({ userId: `r-${i % 10}`, event: 'Webinar Attended', properties: { webinar: 'MOps 101' } });
    await client.flush();
    const s = await waitForEvents(ws, 30);
    expect(s).toMatchObject({ events: 30, contacts: 10 });
  });
});
