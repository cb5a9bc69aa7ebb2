import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let auth: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('ingest-routes');
  auth = { authorization: basicAuth(ws.writeKey.key) };
});
afterAll(() => t.close());

const track = (i: number, extra: Record<string, unknown> = {}) => ({ type: 'track', event: 'Clicked', userId: `u${i}`, messageId: `msg-${i}`, ...extra });

describe(`Segment HTTP API (${testDatabaseLabel})`, () => {
  it('accepts each single-event route and a batch, and stores what it acknowledged', async () => {
    for (const [path, body] of [
      ['/v1/identify', { userId: 'one', traits: { email: 'one@acme.com' } }],
      ['/v1/track', { userId: 'one', event: 'Signed Up' }],
      ['/v1/page', { anonymousId: 'a1', name: 'Home' }],
      ['/v1/screen', { userId: 'one', name: 'Settings' }],
      ['/v1/group', { userId: 'one', groupId: 'acme', traits: { name: 'Acme' } }],
      ['/v1/alias', { userId: 'one', previousId: 'a1' }],
    ] as const) {
      const res = await postIngest(t.app, path, body, auth);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toMatchObject({ success: true, accepted: 1 });
    }
    const batch = await postIngest(t.app, '/v1/batch', { batch: [track(1), track(2)] }, auth);
    expect(await batch.json()).toMatchObject({ success: true, accepted: 2, rejected: [] });
    await t.drain();
    const stats = await getJson(t.app, '/api/v1/stats', ws.adminKey.key);
    expect(stats.body).toMatchObject({ events: 8, accounts: 1, pending_events: 0 });
  });

  it('answers browser preflights and accepts text/plain bodies, as analytics.js sends them', async () => {
    const preflight = await t.app.request('/v1/batch', {
      method: 'OPTIONS',
      headers: { origin: 'https://www.acme.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    const res = await postIngest(t.app, '/v1/page', { anonymousId: 'browser-1', name: 'Home' }, { ...auth, 'content-type': 'text/plain', origin: 'https://www.acme.com' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('takes the write key from the body when there is no Authorization header', async () => {
    const res = await postIngest(t.app, '/v1/track', { writeKey: ws.writeKey.key, userId: 'x', event: 'E' });
    expect(res.status).toBe(200);
  });

  it('refuses missing, unknown, malformed and admin keys with 401', async () => {
    const cases: Array<Record<string, string>> = [
      {},
      { authorization: basicAuth('kw_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB') },
      { authorization: basicAuth('not-a-key') },
      { authorization: basicAuth(ws.adminKey.key) },
    ];
    for (const headers of cases) {
      const res = await postIngest(t.app, '/v1/track', track(99), headers);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/key/i);
    }
  });

  it('answers malformed JSON with 400 naming the problem', async () => {
    const res = await postIngest(t.app, '/v1/batch', '{"batch": [', auth);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Malformed JSON/);
    const notArray = await postIngest(t.app, '/v1/batch', { batch: 'nope' }, auth);
    expect(notArray.status).toBe(400);
    expect(((await notArray.json()) as { error: { message: string } }).error.message).toMatch(/"batch" must be an array/);
  });

  it('keeps the valid events of a batch and records the invalid ones with their reason', async () => {
    await t.drain();
    const before = await getJson(t.app, '/api/v1/stats', ws.adminKey.key);
    const res = await postIngest(
      t.app,
      '/v1/batch',
      {
        batch: [
          track(10),
          { type: 'track', userId: 'u', event: '' },
          { type: 'teleport', userId: 'u' },
          { type: 'track', event: 'No Id' },
          { type: 'track', userId: 'u', event: 'Nul', properties: { bad: 'a\u0000b' } },
          { type: 'track', userId: 'u', event: 'Big', properties: { blob: 'x'.repeat(40_000) } },
          { type: 'track', userId: 'u', event: 'When', timestamp: 'yesterday' },
          track(11),
        ],
      },
      auth,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { accepted: number; rejected: Array<{ index: number; field: string | null; reason: string }> };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => [r.index, r.field])).toEqual([
      [1, 'event'],
      [2, 'type'],
      [3, 'userId'],
      [4, 'properties.bad'],
      [5, null],
      [6, 'timestamp'],
    ]);
    expect(body.rejected[4]!.reason).toMatch(/32768/);
    const rejected = await getJson(t.app, '/api/v1/rejected-events?limit=6', ws.adminKey.key);
    expect(rejected.body.data).toHaveLength(6);
    expect(rejected.body.data!.map((r) => r.reason)).toContain(body.rejected[3]!.reason);
    // The NUL payload is kept as sent (escaped JSON text), not lost.
    expect(rejected.body.data!.some((r) => String(r.payload).includes('a\\u0000b'))).toBe(true);
    await t.drain();
    const after = await getJson(t.app, '/api/v1/stats', ws.adminKey.key);
    expect(Number(after.body.events) - Number(before.body.events)).toBe(2);
  });

  it('answers an invalid single event with 400 and still records it', async () => {
    const res = await postIngest(t.app, '/v1/track', { userId: 'u' }, auth);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/event \(the event name\)/);
  });

  it('enforces 32 KB per event and 500 KB per batch with 413, before parsing', async () => {
    const big = await postIngest(t.app, '/v1/track', { ...track(20), properties: { x: 'y'.repeat(33_000) } }, auth);
    expect(big.status).toBe(413);
    const batch = { batch: Array.from({ length: 20 }, (_, i) => ({ ...track(100 + i), properties: { x: 'y'.repeat(30_000) } })) };
    const res = await postIngest(t.app, '/v1/batch', batch, auth);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/512000/);
  });

  it('accepts gzip bodies and refuses gzip bombs and unknown encodings', async () => {
    const gz = gzipSync(JSON.stringify({ batch: [track(30), track(31)] }));
    const ok = await postIngest(t.app, '/v1/batch', gz, { ...auth, 'content-encoding': 'gzip' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ accepted: 2 });
    // 50 MB of zeros compress to ~50 KB: the limit applies to the decompressed size.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"batch":[],"pad":"'), Buffer.alloc(50_000_000, 48), Buffer.from('"}')]));
    expect(bomb.length).toBeLessThan(512_000);
    const refused = await postIngest(t.app, '/v1/batch', bomb, { ...auth, 'content-encoding': 'gzip' });
    expect(refused.status).toBe(413);
    const br = await postIngest(t.app, '/v1/batch', 'xx', { ...auth, 'content-encoding': 'br' });
    expect(br.status).toBe(415);
    const broken = await postIngest(t.app, '/v1/batch', 'not gzip', { ...auth, 'content-encoding': 'gzip' });
    expect(broken.status).toBe(400);
  });

  it('corrects client clock skew from sentAt', async () => {
    // The client's clock is 1 hour fast: it says the event happened 10 s before sending.
    const sentAt = new Date(Date.now() + 3_600_000);
    const timestamp = new Date(sentAt.getTime() - 10_000);
    const res = await postIngest(t.app, '/v1/batch', { sentAt: sentAt.toISOString(), batch: [{ ...track(40), timestamp: timestamp.toISOString() }] }, auth);
    expect(res.status).toBe(200);
    await t.drain();
    const events = await getJson(t.app, '/api/v1/events?name=Clicked&limit=500', ws.adminKey.key);
    const event = events.body.data!.find((e) => e.message_id === 'msg-40')!;
    const corrected = new Date(String(event.timestamp)).getTime();
    expect(Math.abs(corrected - (Date.now() - 10_000))).toBeLessThan(5_000);
    expect(event.original_timestamp).toBe(timestamp.toISOString());
  });
});
