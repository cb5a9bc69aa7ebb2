import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { listTouchEvents, streamTouchEventsByContact } from './events.service.ts';

let t: TestApp;
let ws: CreatedWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('stream');
  // Three contacts; u2 has three events at the same instant (the keyset's tie-break).
  const same = '2026-03-02T10:00:00.000Z';
  const batch = [
    ...['u1', 'u2', 'u3'].map((u, i) => ({ type: 'page', userId: u, timestamp: `2026-03-0${i + 1}T09:00:00.000Z`, properties: { url: `https://x.example/?utm_source=s${i}` } })),
    { type: 'track', userId: 'u2', event: 'Form Submitted', timestamp: same, properties: {} },
    { type: 'track', userId: 'u2', event: 'Demo Requested', timestamp: same, properties: {} },
    { type: 'page', userId: 'u2', timestamp: same, properties: { url: 'https://x.example/a' } },
    { type: 'track', userId: 'u1', event: 'Not A Touch', timestamp: same, properties: {} },
    { type: 'page', userId: 'u3', timestamp: '2026-04-01T00:00:00.000Z', properties: { url: 'https://x.example/late' } },
  ];
  expect((await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) })).status).toBe(200);
  await t.drain();
});
afterAll(() => t.close());

describe(`touch events read contact by contact (${testDatabaseLabel})`, () => {
  it('gives every contact its complete events, whatever the page size', async () => {
    const range = { from: new Date('2026-03-01'), to: new Date('2026-04-01'), names: ['Form Submitted', 'Demo Requested'] };
    const all = await listTouchEvents(t.db.kysely, ws.id, range);
    expect(all.length).toBe(6);
    const key = (e: { contact_id: string | null; timestamp: Date; type: string; name: string | null }) => `${e.contact_id}|${new Date(e.timestamp).toISOString()}|${e.type}|${e.name}`;
    for (const pageRows of [1, 2, 5, 1000]) {
      const contacts: Array<{ contactId: string; events: string[] }> = [];
      for await (const c of streamTouchEventsByContact(t.db.kysely, ws.id, range, pageRows)) contacts.push({ contactId: c.contactId, events: c.events.map(key) });
      expect(contacts.length, `page ${pageRows}`).toBe(3);
      expect(new Set(contacts.map((c) => c.contactId)).size).toBe(3);
      expect(contacts.flatMap((c) => c.events).sort(), `page ${pageRows}`).toEqual(all.map(key).sort());
      for (const c of contacts) expect(c.events.every((e) => e.startsWith(c.contactId))).toBe(true);
    }
  });
});
