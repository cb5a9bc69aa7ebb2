import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from './platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from './testing/test-app.ts';
import type { CreatedWorkspace } from './features/workspaces/index.ts';
import { systemActor } from './features/audit/index.ts';
import { DEFAULT_DEDUPE_SETTINGS } from './features/dedupe/index.ts';
import { mergeContactPair } from './features/identity/index.ts';

let t: TestApp;
let a: CreatedWorkspace;
let b: CreatedWorkspace;
const secrets: string[] = [];
const idsByPathParam = new Map<string, string>();

beforeAll(async () => {
  t = await createTestApp();
  a = await t.workspace('tenant A');
  b = await t.workspace('tenant B');
  await postIngest(
    t.app,
    '/v1/batch',
    {
      batch: [
        { type: 'identify', userId: 'a-user', anonymousId: 'a-anon', traits: { email: 'secret.person@tenant-a.com', firstName: 'Secretta' } },
        { type: 'group', userId: 'a-user', groupId: 'a-group', traits: { name: 'TenantA Corp', employees: 5000 } },
        { type: 'track', userId: 'a-user', event: 'TenantA Only Event' },
        { type: 'track', event: 'broken' },
      ],
    },
    { authorization: basicAuth(a.writeKey.key) },
  );
  await t.drain();
  const contacts = await getJson(t.app, '/api/v1/contacts', a.adminKey.key);
  const accounts = await getJson(t.app, '/api/v1/accounts', a.adminKey.key);
  const contact = contacts.body.data![0]!;
  const account = accounts.body.data![0]!;
  idsByPathParam.set('/api/v1/contacts/{id}', String(contact.id));
  idsByPathParam.set('/api/v1/contacts/{id}/events', String(contact.id));
  idsByPathParam.set('/api/v1/accounts/{id}', String(account.id));
  idsByPathParam.set('/api/v1/accounts/{id}/contacts', String(account.id));
  idsByPathParam.set('/api/v1/keys/{id}', a.writeKey.id);
  const deal = await t.app.request('/api/v1/opportunities', {
    method: 'POST',
    body: JSON.stringify(opportunityBody(String(account.id))),
    headers: { authorization: bearer(a.adminKey.key), 'content-type': 'application/json' },
  });
  expect(deal.status).toBe(201);
  const dealId = ((await deal.json()) as { id: string }).id;
  await seedDedupeObjects(String(contact.id));
  idsByPathParam.set('/api/v1/opportunities/{id}', dealId);
  idsByPathParam.set('/api/v1/scores/accounts/{id}', String(account.id));
  secrets.push(dealId, 'TenantA Renewal');
  const imported = await t.app.request('/api/v1/imports/contacts', {
    method: 'POST',
    body: uploadBody('Email,Name\nimported.secret@tenant-a.com,TenantA Importee\nnot-an-email,TenantA Refused\n'),
    headers: { authorization: bearer(a.adminKey.key) },
  });
  const jobId = ((await imported.json()) as { jobId: string }).jobId;
  idsByPathParam.set('/api/v1/imports/{id}', jobId);
  idsByPathParam.set('/api/v1/imports/{id}/errors', jobId);
  secrets.push(jobId, 'imported.secret@tenant-a.com', 'not-an-email');
  secrets.push(a.id, String(contact.id), String(account.id), 'secret.person@tenant-a.com', 'TenantA', 'a-user', a.writeKey.id, a.adminKey.id);
  await seedConsentOfTenantA(String(contact.id));
});

/** Tenant A's topics, consent, suppressions, messages and privacy requests, for the routes of issue 4. */
async function seedConsentOfTenantA(contactId: string): Promise<void> {
  const post = async (path: string, body: unknown, method = 'POST') => {
    const res = await t.app.request(path, { method, body: JSON.stringify(body), headers: { authorization: bearer(a.adminKey.key), 'content-type': 'application/json' } });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return (await res.json()) as Record<string, unknown>;
  };
  await post('/api/v1/policies', { sender_email: 'news@tenant-a.com', postal_address: 'TenantA Street 1, Springfield' }, 'PATCH');
  await post('/api/v1/topics', { key: 'tenanta-news', name: 'TenantA News', regime: 'opt_in' });
  await post('/api/v1/consent', { contact_id: contactId, topic: 'tenanta-news', status: 'opted_in', consent_text: 'TenantA agreement' });
  const suppression = await post('/api/v1/suppressions', { email: 'suppressed.person@tenant-a.com', reason: 'manual' });
  const sent = await post('/api/v1/messages', { contact_id: contactId, topic: 'tenanta-news', kind: 'marketing', subject: 'TenantA Subject', text: 'TenantA body' });
  expect(sent.status).toBe('sent');
  const requests = await post('/api/v1/privacy/export', { email: 'secret.person@tenant-a.com' });
  expect(Object.keys(requests.sections as object)).toContain('events');
  const listed = await getJson(t.app, '/api/v1/privacy/requests', a.adminKey.key);
  idsByPathParam.set('/api/v1/messages/{id}', String(sent.message_id));
  idsByPathParam.set('/api/v1/suppressions/{id}', String(suppression.id));
  idsByPathParam.set('/api/v1/contacts/{id}/consent', contactId);
  idsByPathParam.set('/api/v1/contacts/{id}/links', contactId);
  idsByPathParam.set('/api/v1/topics/{key}', 'tenanta-news');
  idsByPathParam.set('/api/v1/privacy/requests/{id}', String(listed.body.data![0]!.id));
  idsByPathParam.set('/api/v1/privacy/requests/{id}/retry', String(listed.body.data![0]!.id));
  await post('/api/v1/templates', { kind: 'template', key: 'tenanta-mail', name: 'TenantA Mail', subject: 'TenantA Template Subject', format: 'html', body: '<p>TenantA template body</p>' });
  for (const path of ['/api/v1/templates/{key}', '/api/v1/templates/{key}/preview', '/api/v1/templates/{key}/check']) idsByPathParam.set(path, 'tenanta-mail');
  await post('/api/v1/journeys', { yaml: TENANT_A_JOURNEY });
  const probeTopic = await t.app.request('/api/v1/topics', { method: 'POST', body: JSON.stringify({ key: 'probe-news', name: 'Probe', regime: 'opt_out' }), headers: { authorization: bearer(b.adminKey.key), 'content-type': 'application/json' } });
  expect(probeTopic.status).toBeLessThan(300);
  for (const action of ['', '/counts', '/launch', '/pause', '/archive', '/migrate', '/enrollments']) idsByPathParam.set(`/api/v1/journeys/{key}${action}`, 'tenanta-journey');
  secrets.push('TenantA Journey');
  secrets.push('tenanta-news', 'TenantA News', 'TenantA agreement', 'suppressed.person@tenant-a.com', 'TenantA Subject', 'TenantA Street', String(sent.message_id), String(listed.body.data![0]!.id));
}
afterAll(() => t.close());

/** A's review-queue pair and contact merge, so that the dedupe routes are walked with real ids. */
async function seedDedupeObjects(contactId: string) {
  await postIngest(t.app, '/v1/identify', { userId: 'a-user-2', traits: { email: 'secretta.twin@tenant-a.com', firstName: 'Secretta' } }, { authorization: basicAuth(a.writeKey.key) });
  await postIngest(t.app, '/v1/identify', { userId: 'a-user-3', traits: { email: 'third@tenant-a.com' } }, { authorization: basicAuth(a.writeKey.key) });
  await t.drain();
  const others = await t.db.kysely.selectFrom('contacts').select('id').where('workspace_id', '=', a.id).where('id', '!=', contactId).execute();
  const run = await t.db.kysely
    .insertInto('dedupe_runs')
    .values({ workspace_id: a.id, entity: 'contact', dry_run: false, records: 3, candidate_pairs: 1, all_pairs: 3, auto_merged: 0, queued: 1, model: '{}', thresholds: '{}', millis: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const [x, y] = [contactId, others[0]!.id].sort() as [string, string];
  const evidence = JSON.stringify([{ field: 'first_name', kind: 'given_name', level: 'exact', weight: 5, a: 'secretta', b: 'secretta' }]);
  const pair = await t.db.kysely
    .insertInto('dedupe_pairs')
    .values({ workspace_id: a.id, entity: 'contact', record_a: x, record_b: y, run_id: run.id, probability: 0.7, weight: 3, evidence, status: 'pending' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const merged = await t.db.kysely.transaction().execute((tx) => mergeContactPair(tx, a.id, { winnerId: contactId, loserId: others[1]!.id, reason: 'test', actor: systemActor('test') }));
  idsByPathParam.set('/api/v1/dedupe/review/{id}/accept', pair.id);
  idsByPathParam.set('/api/v1/dedupe/review/{id}/reject', pair.id);
  idsByPathParam.set('/api/v1/merges/contacts/{id}/undo', merged!.mergeId);
  idsByPathParam.set('/api/v1/merges/accounts/{id}/undo', '1');
  secrets.push('secretta.twin@tenant-a.com', y === contactId ? x : y);
}

async function managementRoutes(): Promise<Array<{ method: string; path: string }>> {
  const res = await t.app.request('/api/v1/openapi.json');
  const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/api/v1/'))
    .flatMap(([path, methods]) => Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })));
}

const opportunityBody = (accountId: string) => ({
  account_id: accountId,
  name: 'TenantA Renewal',
  amount: '125000.00',
  currency: 'USD',
  stage: 'Closed Won',
  created_date: '2026-01-05',
  closed_date: '2026-03-01',
});

/** A multipart CSV upload, as /api/v1/imports/{kind} takes it. */
function uploadBody(csv: string): FormData {
  const form = new FormData();
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'people.csv');
  return form;
}

/** A valid body for each POST route, pointing at tenant A's objects where it names one. */
function bodyFor(path: string): string | FormData | undefined {
  if (path === '/api/v1/opportunities') return JSON.stringify(opportunityBody(idsByPathParam.get('/api/v1/accounts/{id}')!));
  if (path === '/api/v1/tracking-plan') return JSON.stringify({ yaml: 'events:\n  - name: Signup Completed\n' });
  const other = OTHER_BODIES[path];
  if (other) return JSON.stringify(other);
  if (path === '/api/v1/imports/{kind}') return uploadBody('email\nintruder@tenant-b.com\n');
  if (path === '/api/v1/imports/{kind}/mapping') return JSON.stringify({ header: ['Email Address'] });
  if (path === '/api/v1/segments' || path === '/api/v1/segments/preview') return JSON.stringify({ definition: { name: 'probe', rules: [{ field: { name: 'email', op: 'exists' } }] } });
  if (path === '/api/v1/scoring-models') return JSON.stringify({ definition: { name: 'probe', fit: [{ name: 'any', points: 1, when: { field: { name: 'email', op: 'exists' } } }] } });
  if (path === '/api/v1/stages/rules') return JSON.stringify({ definition: { engagement: [{ stage: 'new' }] } });
  if (path === '/api/v1/segments/{name}/members') return JSON.stringify({ add: [] });
  if (path === '/api/v1/audiences/recompute') return undefined;
  const contactId = idsByPathParam.get('/api/v1/contacts/{id}')!;
  const bodies: Record<string, unknown> = {
    '/api/v1/topics': { key: 'intruder', name: 'Intruder', regime: 'opt_out' },
    '/api/v1/topics/{key}': { name: 'Taken over' },
    '/api/v1/consent': { contact_id: contactId, topic: 'tenanta-news', status: 'opted_out' },
    '/api/v1/subscriptions': { contact_id: contactId, topic: 'tenanta-news' },
    '/api/v1/messages': { contact_id: contactId, topic: 'tenanta-news', kind: 'marketing', subject: 'x', text: 'x' },
    '/api/v1/suppressions': { email: 'intruder@example.com', reason: 'manual' },
    '/api/v1/suppressions/import': 'email,reason\nintruder2@example.com,manual\n',
    '/api/v1/costs/import': 'period,channel,cost,currency\n2026-01,other,1,EUR\n',
    '/api/v1/costs': { rows: [{ period: '2026-01', channel: 'other', cost: 1, currency: 'EUR' }] },
    '/api/v1/policies': { postal_address: 'Intruder Road 2' },
    '/api/v1/bounces': { email: 'intruder@example.com', type: 'soft' },
    '/api/v1/privacy/export': { email: 'secret.person@tenant-a.com' },
    '/api/v1/privacy/erasure': { email: 'secret.person@tenant-a.com' },
  };
  if (path in bodies) return typeof bodies[path] === 'string' ? (bodies[path] as string) : JSON.stringify(bodies[path]);
  if (path === '/api/v1/attribution/settings') return JSON.stringify({ yaml: 'version: 1\nrules: [{ channel: intruder }]' });
  if (path === '/api/v1/dedupe/runs') return JSON.stringify({ entity: 'contact', dry_run: true });
  if (path === '/api/v1/dedupe/settings') return JSON.stringify(DEFAULT_DEDUPE_SETTINGS);
  return JSON.stringify({ kind: 'admin', name: 'intruder' });
}

const TENANT_A_JOURNEY = 'key: tenanta-journey\nname: TenantA Journey\ntopic: tenanta-news\ntrigger: { manual: true }\nsteps:\n  - id: hi\n    email: { template: tenanta-mail }\n';

const PROBE_JOURNEY = TENANT_A_JOURNEY.replace('tenanta-news', 'probe-news').replace('tenanta-journey', 'probe-journey').replace('TenantA Journey', 'Probe Journey');

// Valid bodies for the other POST/PUT routes, so that a refusal means isolation, not a bad body.
const OTHER_BODIES: Record<string, unknown> = {
  // Tenant B's own journey (its topic exists there): applying it must not touch tenant A's.
  '/api/v1/journeys': { yaml: PROBE_JOURNEY },
  '/api/v1/journeys/simulate': { yaml: PROBE_JOURNEY },
  '/api/v1/journeys/{key}/enrollments': { email: 'secret.person@tenant-a.com' },
  '/api/v1/journeys/{key}/launch': {},
  '/api/v1/normalize/preview': { kind: 'contact', traits: { email: 'someone@tenant-a.com' } },
  '/api/v1/enrichment/settings': { create_accounts_from_email_domain: false },
  '/api/v1/enrichment/runs': { target: 'contacts' },
  '/api/v1/templates': { kind: 'template', key: 'probe', name: 'Probe', subject: 'x', format: 'html', body: '<p>x</p>' },
  '/api/v1/templates/{key}/preview': { contact: 'secret.person@tenant-a.com' },
  '/api/v1/enrichment/providers/{name}': { config: { url_template: 'http://127.0.0.1:9/x?d={domain}', mapping: { industry: 'industry' } } },
};

function request(method: string, path: string, authorization?: string) {
  const concrete = path.replace('{kind}', 'contacts').replace(/\{\w+\}/, idsByPathParam.get(path) ?? 'missing');
  // Routes that need a query to mean anything ask about tenant A's person.
  const query = path === '/api/v1/journeys/runs' ? '?email=secret.person%40tenant-a.com' : '';
  const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? bodyFor(path) : undefined;
  const type = path.endsWith('/import') ? 'text/csv' : 'application/json';
  return t.app.request(concrete + query, {
    method,
    ...(body ? { body } : {}),
    headers: { ...(body instanceof FormData ? {} : { 'content-type': type }), ...(authorization ? { authorization } : {}) },
  });
}

describe(`tenant isolation on every route (${testDatabaseLabel})`, () => {
  it('documents every management route it serves', async () => {
    const documented = new Set((await managementRoutes()).map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`));
    const served = t.app.routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && r.path !== '/api/v1/openapi.json')
      .map((r) => `${r.method} ${r.path}`);
    expect(served.length).toBeGreaterThan(8);
    for (const route of served) expect(documented, route).toContain(route);
  });

  it("never shows one workspace's data to another workspace's key", async () => {
    const routes = await managementRoutes();
    // Positive control: the owner does see these values, so their absence below means something.
    const own = await request('GET', '/api/v1/contacts/{id}', bearer(a.adminKey.key));
    expect(await own.text()).toContain('secret.person@tenant-a.com');
    for (const { method, path } of routes) {
      const res = await request(method, path, bearer(b.adminKey.key));
      const text = await res.text();
      if (res.status < 400) for (const secret of secrets) expect(text, `${method} ${path} leaked ${secret}`).not.toContain(secret);
      else expect([401, 403, 404], `${method} ${path} -> ${res.status} ${text}`).toContain(res.status);
    }
  });

  it('refuses every management route without a key, with a write key, and changes with a viewer key', async () => {
    const viewer = await t.app.request('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ kind: 'admin', role: 'viewer', name: 'viewer' }),
      headers: { authorization: bearer(a.adminKey.key), 'content-type': 'application/json' },
    });
    const viewerKey = ((await viewer.json()) as { key: string }).key;
    for (const { method, path } of await managementRoutes()) {
      expect((await request(method, path)).status, `${method} ${path} without key`).toBe(401);
      expect((await request(method, path, bearer(a.writeKey.key))).status, `${method} ${path} with write key`).toBe(403);
      expect((await request(method, path, 'Bearer ka_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB')).status).toBe(401);
      if (method !== 'GET') expect((await request(method, path, bearer(viewerKey))).status, `${method} ${path} as viewer`).toBe(403);
    }
  });

  it("writes another workspace's events only into that workspace", async () => {
    await postIngest(t.app, '/v1/track', { userId: 'a-user', event: 'From B' }, { authorization: basicAuth(b.writeKey.key) });
    await t.drain();
    const aEvents = await getJson(t.app, '/api/v1/events?name=From%20B', a.adminKey.key);
    const bEvents = await getJson(t.app, '/api/v1/events?name=From%20B', b.adminKey.key);
    expect(aEvents.body.data).toHaveLength(0);
    expect(bEvents.body.data).toHaveLength(1);
    // Same userId in B is a different contact from A's.
    expect(bEvents.body.data![0]!.contact_id).not.toBe(idsByPathParam.get('/api/v1/contacts/{id}'));
  });
});
