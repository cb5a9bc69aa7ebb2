import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { generateMarketingContacts } from './marketing-data-generator.ts';

let t: TestApp;
let ws: CreatedWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('dedupe api');
  const people = generateMarketingContacts({ people: 120, seed: 9 });
  const batch = people.map((p, i) => ({
    type: 'identify',
    anonymousId: `a-${p.id}`,
    messageId: `m-${i}`,
    traits: { email: p.values.email, firstName: p.values.first_name, lastName: p.values.last_name, phone: p.values.phone, company: p.values.company },
  }));
  for (let i = 0; i < batch.length; i += 100) expect((await postIngest(t.app, '/v1/batch', { batch: batch.slice(i, i + 100) }, { authorization: basicAuth(ws.writeKey.key) })).status).toBe(200);
  await t.drain();
});
afterAll(() => t.close());

const send = (method: string, path: string, body?: unknown) =>
  t.app.request(path, { method, headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

describe(`dedupe API (${testDatabaseLabel})`, () => {
  it('runs, queues pairs with evidence, accepts one, lists and undoes the merge', async () => {
    const settings = (await getJson(t.app, '/api/v1/dedupe/settings', ws.adminKey.key)).body;
    // Review everything: no auto-merge, so the queue has the pairs to accept.
    expect((await send('PUT', '/api/v1/dedupe/settings', { ...settings, auto_merge_threshold: null })).status).toBe(200);
    const dry = await send('POST', '/api/v1/dedupe/runs', { entity: 'contact', dry_run: true });
    expect(dry.status).toBe(200);
    const summary = (await dry.json()) as { run_id: string | null; in_review_band: number; candidate_pairs: number; all_pairs: number };
    expect(summary.run_id).toBeNull();
    expect(summary.in_review_band).toBeGreaterThan(5);
    const run = (await (await send('POST', '/api/v1/dedupe/runs', { entity: 'contact' })).json()) as { run_id: string; queued: number; merged: number };
    expect(run.merged).toBe(0);
    expect(run.queued).toBe(summary.in_review_band);

    const queue = await getJson(t.app, '/api/v1/dedupe/review?entity=contact&limit=2', ws.adminKey.key);
    expect(queue.status).toBe(200);
    expect(queue.body.data).toHaveLength(2);
    expect(queue.body.next_cursor).toEqual(expect.any(String));
    const first = queue.body.data![0] as { id: string; probability: number; evidence: Array<{ field: string; level: string; weight: number }> };
    expect(first.evidence.find((e) => e.field === 'last_name')).toMatchObject({ level: expect.any(String), weight: expect.any(Number) });
    const next = await getJson(t.app, `/api/v1/dedupe/review?entity=contact&limit=2&cursor=${String(queue.body.next_cursor)}`, ws.adminKey.key);
    expect((next.body.data![0] as { probability: number }).probability).toBeLessThanOrEqual(first.probability);

    const accepted = await send('POST', `/api/v1/dedupe/review/${first.id}/accept`);
    expect(accepted.status).toBe(200);
    const merge = (await accepted.json()) as { mergeId: string; winnerId: string; loserId: string };
    expect((await send('POST', `/api/v1/dedupe/review/${first.id}/accept`)).status).toBe(409);
    const merges = await getJson(t.app, '/api/v1/merges?entity=contact', ws.adminKey.key);
    expect(merges.body.data!.map((m) => m.id)).toContain(merge.mergeId);
    expect((await getJson(t.app, `/api/v1/contacts/${merge.loserId}`, ws.adminKey.key)).status).toBe(404);

    const undone = await send('POST', `/api/v1/merges/contacts/${merge.mergeId}/undo`);
    expect(undone.status).toBe(200);
    expect(await undone.json()).toMatchObject({ loserId: merge.loserId, restoredRows: { identities: expect.any(Number), events: expect.any(Number) } });
    expect((await getJson(t.app, `/api/v1/contacts/${merge.loserId}`, ws.adminKey.key)).status).toBe(200);
    expect((await send('POST', `/api/v1/merges/contacts/${merge.mergeId}/undo`)).status).toBe(409);
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_kind', 'actor_id']).where('workspace_id', '=', ws.id).where('action', 'in', ['contact.merged', 'contact.merge_undone', 'dedupe_settings.updated']).execute();
    expect(audit.map((a) => a.action).sort()).toEqual(['contact.merge_undone', 'contact.merged', 'dedupe_settings.updated']);
    expect(new Set(audit.map((a) => a.actor_id))).toEqual(new Set([ws.adminKey.id]));
  });

  it('refuses bad input naming the field and the value', async () => {
    const badEntity = await send('POST', '/api/v1/dedupe/runs', { entity: 'lead' });
    expect(badEntity.status).toBe(400);
    expect(await badEntity.text()).toMatch(/entity/);
    const unknown = await send('POST', '/api/v1/dedupe/runs', { entity: 'contact', force: true });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/force/);
    const settings = (await getJson(t.app, '/api/v1/dedupe/settings', ws.adminKey.key)).body;
    const badSettings = await send('PUT', '/api/v1/dedupe/settings', { ...settings, review_threshold: 2 });
    expect(badSettings.status).toBe(400);
    expect(await badSettings.text()).toMatch(/review_threshold/);
    expect((await send('POST', '/api/v1/dedupe/review/abc/accept')).status).toBe(400);
    expect((await send('POST', '/api/v1/dedupe/review/999999999/reject')).status).toBe(404);
    expect((await getJson(t.app, '/api/v1/dedupe/review?cursor=bm9wZQ', ws.adminKey.key)).status).toBe(400);
  });

  it('publishes the settings JSON Schema', async () => {
    const schema = await getJson(t.app, '/api/v1/dedupe/settings/schema', ws.adminKey.key);
    expect(schema.status).toBe(200);
    expect(Object.keys(schema.body.properties as object)).toEqual(expect.arrayContaining(['auto_merge_threshold', 'review_threshold', 'contacts', 'accounts']));
  });
});
