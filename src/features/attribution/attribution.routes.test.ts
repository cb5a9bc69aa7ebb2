import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { listAuditEntries } from '../audit/index.ts';
import { DEFAULT_CHANNEL_RULES } from './channel-rules.ts';

let t: TestApp;
let ws: CreatedWorkspace;

const SITE = 'https://www.northstack.example';
const page = (userId: string, timestamp: string, url: string, referrer?: string) => ({ type: 'page', userId, timestamp, properties: { url, ...(referrer ? { referrer } : {}) } });
const track = (userId: string, timestamp: string, event: string, properties: Record<string, unknown> = {}) => ({ type: 'track', userId, timestamp, event, properties });

// Account Acme, two contacts:
//   u1: paid search (Google/CPC, mixed case) 03-01; LinkedIn visit 03-05 + form fill (lead creation, same visit: one touch); Demo Requested 03-10.
//   u2: direct 03-08; newsletter click 03-12 and the tagged page it opens (utm_medium "E-Mail", alias of email: one touch).
// Opportunity created 03-15, won 04-10, 1000.
beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('attribution');
  const batch = [
    page('u1', '2026-03-01T10:00:00Z', `${SITE}/?utm_source=Google&utm_medium=CPC&utm_campaign=Brand`),
    page('u1', '2026-03-01T10:01:00Z', `${SITE}/pricing`, `${SITE}/`),
    page('u1', '2026-03-05T10:00:00Z', `${SITE}/pricing`, 'https://www.linkedin.com/'),
    track('u1', '2026-03-05T10:05:00Z', 'Form Submitted', { form_id: 'frm-demo' }),
    track('u1', '2026-03-10T09:00:00Z', 'Demo Requested'),
    page('u2', '2026-03-08T10:00:00Z', `${SITE}/`),
    track('u2', '2026-03-12T10:00:00Z', 'Email Link Clicked', { campaign_source: 'newsletter', campaign_name: 'March' }),
    page('u2', '2026-03-12T10:00:30Z', `${SITE}/blog?utm_source=newsletter&utm_medium=E-Mail&utm_campaign=march`),
    { type: 'group', userId: 'u1', groupId: 'acme', traits: { name: 'Acme' }, timestamp: '2026-03-01T10:00:00Z' },
    { type: 'group', userId: 'u2', groupId: 'acme', traits: { name: 'Acme' }, timestamp: '2026-03-08T10:00:00Z' },
  ];
  expect((await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) })).status).toBe(200);
  await t.drain();
  const accountId = String((await getJson(t.app, '/api/v1/accounts', ws.adminKey.key)).body.data![0]!.id);
  const deal = await t.app.request('/api/v1/opportunities', {
    method: 'POST',
    body: JSON.stringify({ account_id: accountId, name: 'Acme platform', amount: 1000, currency: 'USD', stage: 'Closed Won', created_date: '2026-03-15', closed_date: '2026-04-10' }),
    headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' },
  });
  expect(deal.status).toBe(201);
});
afterAll(() => t.close());

type Report = { rows: Array<{ key: string; conversions: number; opportunities: number; pipeline: number; won: number; revenue: number }>; touchpoints: number; journeys: Record<string, number>; unmapped: unknown[] };
const report = async (query: string) => {
  const res = await getJson(t.app, `/api/v1/attribution?from=2026-03-01&to=2026-05-01&${query}`, ws.adminKey.key);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const body = res.body as unknown as Report;
  return { ...body, by: Object.fromEntries(body.rows.map((r) => [r.key, r])) };
};

describe(`workspace attribution API (${testDatabaseLabel})`, () => {
  it('derives touchpoints with channel grouping, normalisation and one touch per visit', async () => {
    const r = await report('model=first-touch');
    expect(r.touchpoints).toBe(4);
    expect(Object.keys(r.by).sort()).toEqual(['direct', 'email', 'organic_social', 'paid_search']);
    expect(r.unmapped).toEqual([]);
    // One conversion (u1), one null journey (u2); one pipeline journey (account), one revenue journey.
    expect(r.journeys).toEqual({ conversions: 2, pipeline: 1, revenue: 1 });
    expect(r.by.paid_search).toMatchObject({ conversions: 1, opportunities: 1, pipeline: 1000, won: 1, revenue: 1000 });
  });

  it('w-shaped pipeline: first touch, lead creation (form fill), opportunity creation 30% each, 10% between', async () => {
    const r = await report('model=w-shaped');
    expect(r.by.paid_search!.pipeline).toBeCloseTo(300, 9);
    expect(r.by.organic_social!.pipeline).toBeCloseTo(300, 9);
    expect(r.by.direct!.pipeline).toBeCloseTo(100, 9);
    expect(r.by.email!.pipeline).toBeCloseTo(300, 9);
  });

  it('full-path revenue: the email touch is both opportunity creation and closed won (45%)', async () => {
    const r = await report('model=full-path');
    expect(r.by.email!.revenue).toBeCloseTo(450, 9);
    expect(r.by.paid_search!.revenue).toBeCloseTo(225, 9);
    expect(r.by.organic_social!.revenue).toBeCloseTo(225, 9);
    expect(r.by.direct!.revenue).toBeCloseTo(100, 9);
  });

  it('credits per campaign, as CSV', async () => {
    const res = await t.app.request('/api/v1/attribution?from=2026-03-01&to=2026-05-01&model=last-touch&by=campaign&format=csv', { headers: { authorization: bearer(ws.adminKey.key) } });
    expect(res.headers.get('content-type')).toMatch(/text\/csv/);
    expect(await res.text()).toBe(['campaign,conversions,value,opportunities,pipeline,won,revenue', 'march,0,0,1,1000,1,1000', '(none),1,0,0,0,0,0', 'brand,0,0,0,0,0,0', ''].join('\n'));
  });

  it('runs markov and shapley on the same journeys, and refuses an unknown model by name', async () => {
    for (const model of ['markov', 'shapley']) {
      const r = await report(`model=${model}`);
      expect(r.rows.reduce((s, row) => s + row.pipeline, 0)).toBeCloseTo(1000, 6);
    }
    const bad = await getJson(t.app, '/api/v1/attribution?model=u-shape', ws.adminKey.key);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/model/);
  });

  it('keeps to the accounts in scope (--min-employees): Acme has no employee count, so nothing is left', async () => {
    const r = await report('model=linear&min_employees=1000');
    expect(r.touchpoints).toBe(0);
    expect(r.rows).toEqual([]);
  });

  it('saves settings YAML (audited), refuses bad YAML naming the field, and uses the saved rules', async () => {
    const post = (yaml: string) =>
      t.app.request('/api/v1/attribution/settings', { method: 'POST', body: JSON.stringify({ yaml }), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });
    const bad = await post('version: 1\nrules: [{ channel: x, colour: red }]');
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/rules\.0.*colour/);
    expect((await getJson(t.app, '/api/v1/attribution/settings', ws.adminKey.key)).body).toMatchObject({ yaml: null });
    const yaml = 'version: 1\nrules:\n  - channel: search\n    medium: [cpc, organic]\nfallback: everything_else\nconversions:\n  - event: Demo Requested\n';
    expect((await post(yaml)).status).toBe(200);
    expect((await getJson(t.app, '/api/v1/attribution/settings', ws.adminKey.key)).body).toMatchObject({ yaml });
    const r = await report('model=first-touch');
    expect(Object.keys(r.by).sort()).toEqual(['everything_else', 'search']);
    expect(r.unmapped).toEqual(expect.arrayContaining([{ source_medium: '(direct) / (none)', touches: 1 }]));
    const audit = await listAuditEntries(t.db.kysely, ws.id, { objectType: 'attribution_settings', limit: 10 });
    expect(audit.map((e) => [e.action, e.actor_kind])).toEqual([['attribution_settings.created', 'api_key']]);
    // Back to the defaults for the other tests.
    expect((await post(JSON.stringify(DEFAULT_CHANNEL_RULES))).status).toBe(200);
  });

  it('publishes the JSON Schema of the settings YAML', async () => {
    const res = await getJson(t.app, '/api/v1/attribution/schema', ws.adminKey.key);
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).toContain('"rules"');
  });
});
