import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { SCORING_MODEL_JSON_SCHEMA } from './scoring.routes.ts';
import { SEGMENT_JSON_SCHEMA } from './segments.routes.ts';
import { STAGES_JSON_SCHEMA } from './stages.routes.ts';

let t: TestApp;
let ws: CreatedWorkspace;

const post = (path: string, body: unknown) =>
  t.app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });
const track = (userId: string, event: string) => postIngest(t.app, '/v1/track', { userId, event }, { authorization: basicAuth(ws.writeKey.key) });

const ENTERPRISE = `
name: Enterprise engaged
description: People at big accounts who came to a webinar
rules:
  - account: { field: { name: employees, op: gte, value: 1000 } }
  - event: { name: Webinar Attended, within_last_days: 30 }
`;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('audiences-api');
  const auth = { authorization: basicAuth(ws.writeKey.key) };
  await postIngest(t.app, '/v1/identify', { userId: 'ann', traits: { email: 'ann@big.com', seniority: 'VP' } }, auth);
  await postIngest(t.app, '/v1/group', { userId: 'ann', groupId: 'big', traits: { name: 'Big', employees: 5000 } }, auth);
  await postIngest(t.app, '/v1/identify', { userId: 'ben', traits: { email: 'ben@small.com' } }, auth);
  await postIngest(t.app, '/v1/group', { userId: 'ben', groupId: 'small', traits: { name: 'Small', employees: 10 } }, auth);
  await t.drain();
});
afterAll(() => t.close());

describe(`audiences API (${testDatabaseLabel})`, () => {
  it('previews, applies a YAML segment, and keeps membership live as events arrive', async () => {
    const preview = await post('/api/v1/segments/preview', { yaml: ENTERPRISE });
    expect(await preview.json()).toMatchObject({ subject: 'contact', count: 0, sample: [] });
    const applied = await post('/api/v1/segments', { yaml: ENTERPRISE });
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ created: true, entered: 0 });

    await track('ann', 'Webinar Attended');
    await track('ben', 'Webinar Attended');
    await t.drain();
    const members = await getJson(t.app, '/api/v1/segments/Enterprise%20engaged/members', ws.adminKey.key);
    expect(members.body.data!.map((m) => m.label)).toEqual(['ann@big.com']);
    const history = await getJson(t.app, '/api/v1/segments/Enterprise%20engaged/history', ws.adminKey.key);
    expect(history.body.data!.map((h) => h.change)).toEqual(['entered']);
    const list = await getJson(t.app, '/api/v1/segments', ws.adminKey.key);
    expect(list.body.data!.map((s) => [s.name, s.members, s.time_dependent])).toEqual([['Enterprise engaged', 1, true]]);
  });

  it('refuses bad documents with the path of the node at fault', async () => {
    const res = await post('/api/v1/segments', { yaml: ENTERPRISE.replace('op: gte', 'op: gtt') });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/rules\[0\]\.account\.field\.op: unknown operator "gtt"/);
    const both = await post('/api/v1/segments', { yaml: ENTERPRISE, definition: {} });
    expect(both.status).toBe(400);
  });

  it('keeps static lists of hand-picked ids with history', async () => {
    const contacts = await getJson(t.app, '/api/v1/contacts?limit=10', ws.adminKey.key);
    const ids = contacts.body.data!.map((c) => String(c.id));
    expect((await post('/api/v1/segments', { definition: { name: 'VIPs', type: 'static', members: [ids[0]] } })).status).toBe(200);
    const change = await post('/api/v1/segments/VIPs/members', { add: [ids[1]], remove: [ids[0]] });
    expect(await change.json()).toEqual({ entered: 1, exited: 1 });
    const members = await getJson(t.app, '/api/v1/segments/VIPs/members', ws.adminKey.key);
    expect(members.body.data!.map((m) => m.id)).toEqual([ids[1]]);
  });

  it('scores with reasons and moves stages, through the API', async () => {
    const model = { name: 'main', fit: [{ name: 'VP', points: 40, when: { trait: { name: 'seniority', op: 'eq', value: 'VP' } } }], engagement: [{ name: 'Webinar', event: 'Webinar Attended', points: 25 }] };
    expect((await post('/api/v1/scoring-models', { definition: model })).status).toBe(200);
    const stages = { lifecycle: [{ stage: 'lead', when: { field: { name: 'email', op: 'exists' } } }, { stage: 'mql', when: { score: { model: 'main', op: 'gte', value: 60 } } }] };
    expect((await post('/api/v1/stages/rules', { definition: stages })).status).toBe(200);
    const explained = await getJson(t.app, '/api/v1/scores/contacts/ann%40big.com', ws.adminKey.key);
    expect(explained.body).toMatchObject({ scores: [{ model: 'main', total: 65, rules: [{ rule: 'VP', points: 40 }, { rule: 'Webinar', points: 25 }] }] });
    const history = await getJson(t.app, '/api/v1/stages/history?contact=ann%40big.com', ws.adminKey.key);
    expect(history.body.data!.map((h) => h.to_stage)).toEqual(['mql']);
    await track('ben', 'Webinar Attended');
    await track('ben', 'Webinar Attended');
    await t.drain();
    const ben = await getJson(t.app, '/api/v1/stages/history?contact=ben%40small.com', ws.adminKey.key);
    expect(ben.body.data!.map((h) => [h.from_stage, h.to_stage])).toEqual([['lead', 'mql'], [null, 'lead']]);
  });

  it('publishes the JSON Schemas it validates with, as committed in schemas/', async () => {
    for (const [kind, schema] of [['segment', SEGMENT_JSON_SCHEMA], ['scoring-model', SCORING_MODEL_JSON_SCHEMA], ['stages', STAGES_JSON_SCHEMA]] as const) {
      expect(JSON.parse(readFileSync(new URL(`../../../schemas/${kind}.schema.json`, import.meta.url), 'utf8')), `schemas/${kind}.schema.json is stale: run keel schemas --write`).toEqual(schema);
    }
    const served = await getJson(t.app, '/api/v1/segments/schema', ws.adminKey.key);
    expect(served.body).toEqual(SEGMENT_JSON_SCHEMA);
  });
});
