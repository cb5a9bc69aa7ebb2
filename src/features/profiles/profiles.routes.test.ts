import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const admin = () => ws.adminKey.key;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('profiles');
  const batch: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 30; i += 1) {
    batch.push({
      type: 'identify',
      userId: `user-${i}`,
      anonymousId: `anon-${i}`,
      traits: { email: `person${i}@${i % 2 ? 'big' : 'small'}.com`, firstName: `First${i}`, lastName: i === 7 ? "O'Brien" : `Last${i}`, plan: i % 3 === 0 ? 'pro' : 'free', seats: i, beta: i % 4 === 0 },
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    });
    batch.push({ type: 'group', userId: `user-${i}`, groupId: i % 2 ? 'big' : 'small', traits: i % 2 ? { name: 'Big Co', employees: 12000 } : { name: 'Small Co', employees: 12 } });
  }
  // Anonymous browsing before user-3 identified: it must show on user-3's timeline.
  batch.unshift({ type: 'page', anonymousId: 'anon-3', name: 'Pricing', timestamp: '2025-12-01T00:00:00.000Z', context: { campaign: { source: 'linkedin', medium: 'paid_social', name: 'q1-abm' } } });
  await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
});
afterAll(() => t.close());

describe(`management API (${testDatabaseLabel})`, () => {
  it('pages through every contact exactly once with cursors', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await getJson(t.app, `/api/v1/contacts?limit=7${cursor ? `&cursor=${cursor}` : ''}`, admin());
      expect(page.status).toBe(200);
      seen.push(...page.body.data!.map((c) => String(c.id)));
      cursor = page.body.next_cursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
  });

  it('searches by email, name and trait', async () => {
    const byEmail = await getJson(t.app, '/api/v1/contacts?email=PERSON7@big.com', admin());
    expect(byEmail.body.data!.map((c) => c.last_name)).toEqual(["O'Brien"]);
    const byName = await getJson(t.app, `/api/v1/contacts?q=${encodeURIComponent("o'brien")}`, admin());
    expect(byName.body.data).toHaveLength(1);
    const byFullName = await getJson(t.app, '/api/v1/contacts?q=First12%20Last12', admin());
    expect(byFullName.body.data).toHaveLength(1);
    const wildcard = await getJson(t.app, '/api/v1/contacts?q=%25', admin());
    expect(wildcard.body.data).toHaveLength(0);
    const pro = await getJson(t.app, '/api/v1/contacts?trait=plan:pro&limit=500', admin());
    expect(pro.body.data).toHaveLength(10);
    // Numeric and boolean traits match their literal; several filters must all match.
    const seat = await getJson(t.app, '/api/v1/contacts?trait=seats:12&trait=beta:true&limit=500', admin());
    expect(seat.body.data!.map((c) => c.email)).toEqual(['person12@small.com']);
  });

  it('shows a contact with identities, accounts and a timeline that includes anonymous history', async () => {
    const found = await getJson(t.app, '/api/v1/contacts?email=person3@big.com', admin());
    const id = String(found.body.data![0]!.id);
    const detail = await getJson(t.app, `/api/v1/contacts/${id}`, admin());
    expect(detail.body).toMatchObject({ email: 'person3@big.com', first_name: 'First3', accounts: [{ name: 'Big Co', external_id: 'big' }] });
    expect((detail.body.identities as Array<{ kind: string; value: string }>).map((i) => `${i.kind}:${i.value}`).sort()).toEqual([
      'anonymous_id:anon-3',
      'email:person3@big.com',
      'user_id:user-3',
    ]);
    const timeline = await getJson(t.app, `/api/v1/contacts/${id}/events`, admin());
    expect(timeline.body.data!.map((e) => e.type)).toEqual(['group', 'identify', 'page']);
    expect(timeline.body.data![2]).toMatchObject({ anonymous_id: 'anon-3', utm_source: 'linkedin', utm_campaign: 'q1-abm' });
    const pagesOnly = await getJson(t.app, `/api/v1/contacts/${id}/events?type=page`, admin());
    expect(pagesOnly.body.data).toHaveLength(1);
  });

  it('answers a merged-away contact id with 404 naming the surviving contact', async () => {
    const auth = { authorization: basicAuth(ws.writeKey.key) };
    await postIngest(t.app, '/v1/track', { anonymousId: 'late-visitor', event: 'Viewed Pricing' }, auth);
    await t.drain();
    const anonymous = await getJson(t.app, '/api/v1/events?name=Viewed%20Pricing', admin());
    const anonymousId = String(anonymous.body.data![0]!.contact_id);
    await postIngest(t.app, '/v1/track', { userId: 'user-5', anonymousId: 'late-visitor', event: 'Signed In' }, auth);
    await t.drain();
    const gone = await getJson(t.app, `/api/v1/contacts/${anonymousId}`, admin());
    expect(gone.status).toBe(404);
    const survivor = await getJson(t.app, '/api/v1/contacts?email=person5@big.com', admin());
    const survivorId = String(survivor.body.data![0]!.id);
    expect(gone.body.error).toMatchObject({ details: { merged_into: survivorId } });
    const timeline = await getJson(t.app, `/api/v1/contacts/${survivorId}/events?name=Viewed%20Pricing`, admin());
    expect(timeline.body.data).toHaveLength(1);
  });

  it('records when a key was last used', async () => {
    const keys = await getJson(t.app, '/api/v1/keys', admin());
    const used = keys.body.data!.filter((k) => k.last_used_at !== null).map((k) => k.id);
    expect(used).toEqual(expect.arrayContaining([ws.adminKey.id, ws.writeKey.id]));
  });

  it('lists accounts by size and their contacts', async () => {
    const enterprise = await getJson(t.app, '/api/v1/accounts?min_employees=1000', admin());
    expect(enterprise.body.data!.map((a) => a.name)).toEqual(['Big Co']);
    const contacts = await getJson(t.app, `/api/v1/accounts/${String(enterprise.body.data![0]!.id)}/contacts?limit=500`, admin());
    expect(contacts.body.data).toHaveLength(15);
  });

  it('filters events by type, name and time', async () => {
    const identifies = await getJson(t.app, '/api/v1/events?type=identify&limit=500', admin());
    expect(identifies.body.data).toHaveLength(30);
    const window = await getJson(t.app, '/api/v1/events?type=identify&from=2026-01-01T00:10:00Z&to=2026-01-01T00:20:00Z', admin());
    expect(window.body.data).toHaveLength(10);
    const pricing = await getJson(t.app, '/api/v1/events?name=Pricing', admin());
    expect(pricing.body.data).toHaveLength(1);
  });

  it('refuses unknown parameters, bad values and forged cursors with 400 naming them', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/api/v1/contacts?colour=blue', /unknown field.*"colour"/],
      ['/api/v1/contacts?limit=0', /limit/],
      ['/api/v1/contacts?limit=abc', /limit/],
      ['/api/v1/contacts?cursor=bm9wZQ', /cursor/],
      ['/api/v1/events?from=yesterday', /from/],
      ['/api/v1/events?type=teleport', /type/],
      ['/api/v1/contacts/not-a-uuid', /id/],
      ['/api/v1/contacts?trait=novalue', /key:value/],
    ];
    for (const [path, message] of cases) {
      const res = await getJson(t.app, path, admin());
      expect(res.status, path).toBe(400);
      expect((res.body.error as { message: string }).message, path).toMatch(message);
    }
    const missing = await getJson(t.app, '/api/v1/contacts/00000000-0000-4000-8000-000000000000', admin());
    expect(missing.status).toBe(404);
  });

  it('creates, lists and revokes keys; a revoked key stops working at once', async () => {
    const created = await t.app.request('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ kind: 'write', name: 'website' }),
      headers: { authorization: bearer(admin()), 'content-type': 'application/json' },
    });
    expect(created.status).toBe(201);
    const key = (await created.json()) as { id: string; key: string };
    expect((await postIngest(t.app, '/v1/track', { userId: 'k', event: 'E' }, { authorization: basicAuth(key.key) })).status).toBe(200);
    const listed = await getJson(t.app, '/api/v1/keys', admin());
    expect(JSON.stringify(listed.body)).not.toContain(key.key);
    expect(listed.body.data!.map((k) => k.id)).toContain(key.id);
    const revoked = await t.app.request(`/api/v1/keys/${key.id}`, { method: 'DELETE', headers: { authorization: bearer(admin()) } });
    expect(revoked.status).toBe(204);
    expect((await postIngest(t.app, '/v1/track', { userId: 'k', event: 'E' }, { authorization: basicAuth(key.key) })).status).toBe(401);
    const again = await t.app.request(`/api/v1/keys/${key.id}`, { method: 'DELETE', headers: { authorization: bearer(admin()) } });
    expect(again.status).toBe(409);
    const unknownField = await t.app.request('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ kind: 'write', name: 'x', scopes: ['all'] }),
      headers: { authorization: bearer(admin()), 'content-type': 'application/json' },
    });
    expect(unknownField.status).toBe(400);
    expect(((await unknownField.json()) as { error: { message: string } }).error.message).toMatch(/scopes/);
  });

  it('serves health and an OpenAPI document without a key', async () => {
    expect((await t.app.request('/health')).status).toBe(200);
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/batch', '/api/v1/contacts', '/api/v1/stats', '/api/v1/contacts/{id}/events']));
  });
});
