import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import type { RecordPreview } from './preview.ts';

let t: TestApp;
let ws: CreatedWorkspace;
beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('routes');
});
afterAll(() => t.close());

function send(method: string, path: string, body: unknown) {
  return t.app.request(path, { method, body: JSON.stringify(body), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });
}

describe(`normalization and enrichment API (${testDatabaseLabel})`, () => {
  it('previews how a contact would be normalized and enriched, writing nothing', async () => {
    const res = await send('POST', '/api/v1/normalize/preview', {
      traits: { email: ' Ada@ACME.com ', phone: '030 1234567', country: 'Deutschland', title: 'vp of marketing', firstName: 'ADA', website: 'x' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as RecordPreview;
    expect(body.fields).toMatchObject({ email: 'ada@acme.com', phone: '+49301234567', country: 'DE', title: 'VP of Marketing', first_name: 'Ada' });
    expect(body.enrichment.traits).toMatchObject({ enriched_seniority: 'VP', enriched_department: 'Marketing', enriched_timezone: 'Europe/Berlin' });
    expect(body.enrichment.account).toEqual({ domain: 'acme.com', existing_account_id: null, would_create: false });
    const bad = (await (await send('POST', '/api/v1/normalize/preview', { traits: { email: 'ada@', phone: '12' } })).json()) as RecordPreview;
    expect(bad.issues.map((i) => i.field).sort()).toEqual(['email', 'phone']);
    expect(bad.traits).toEqual({ email: 'ada@', phone: '12' });
    expect((await getJson(t.app, '/api/v1/contacts', ws.adminKey.key)).body.data).toHaveLength(0);
  });

  it('refuses bad input naming the field', async () => {
    const res = await send('POST', '/api/v1/normalize/preview', { kind: 'lead', traits: {} });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('kind');
    const settings = await send('PUT', '/api/v1/enrichment/settings', { extra_free_mail_domains: ['ok.example', 'not a domain'] });
    expect(settings.status).toBe(400);
    expect(await settings.text()).toContain('extra_free_mail_domains[1]');
    const provider = await send('PUT', '/api/v1/enrichment/providers/firmo', { config: { url_template: 'http://x.test/no-placeholder', mapping: { a: 'b' } } });
    expect(provider.status).toBe(400);
    expect(await provider.text()).toContain('url_template');
  });

  it('lists validation issues from ingest and counts them per field', async () => {
    await postIngest(t.app, '/v1/batch', { batch: [
      { type: 'identify', userId: 'u1', traits: { email: 'not-an-email', title: 'CMO' } },
      { type: 'identify', userId: 'u2', traits: { email: 'b@globex.com', phone: '555' } },
    ] }, { authorization: basicAuth(ws.writeKey.key) });
    await t.drain();
    const issues = await getJson(t.app, '/api/v1/validation-issues?object_type=contact&limit=1', ws.adminKey.key);
    expect(issues.body.data).toHaveLength(1);
    const next = await getJson(t.app, `/api/v1/validation-issues?object_type=contact&limit=1&cursor=${String(issues.body.next_cursor)}`, ws.adminKey.key);
    expect([issues.body.data![0]!.field, next.body.data![0]!.field].sort()).toEqual(['email', 'phone']);
    const summary = await getJson(t.app, '/api/v1/validation-issues/summary', ws.adminKey.key);
    expect(summary.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ object_type: 'contact', field: 'email', invalid: 1 })]));
  });

  it('changes settings (audited) and re-enriches through a run', async () => {
    const put = await send('PUT', '/api/v1/enrichment/settings', { create_accounts_from_email_domain: true });
    expect(await put.json()).toEqual({ create_accounts_from_email_domain: true, extra_free_mail_domains: [] });
    const run = await send('POST', '/api/v1/enrichment/runs', { target: 'contacts' });
    expect(await run.json()).toMatchObject({ target: 'contacts', provider: null, records: 2, accounts_created: 1, accounts_linked: 1 });
    const accounts = await getJson(t.app, '/api/v1/accounts?domain=globex.com', ws.adminKey.key);
    expect(accounts.body.data).toHaveLength(1);
  });

  it('stores providers with masked headers and removes them', async () => {
    const config = { url_template: 'http://127.0.0.1:9/c?domain={domain}', headers: { authorization: 'Bearer sk_live_abcdef' }, mapping: { industry: 'industry' } };
    const put = await send('PUT', '/api/v1/enrichment/providers/firmo', { config });
    expect(put.status).toBe(200);
    const list = await getJson(t.app, '/api/v1/enrichment/providers', ws.adminKey.key);
    expect(JSON.stringify(list.body)).not.toContain('sk_live');
    expect(list.body.data![0]).toMatchObject({ name: 'firmo', config: { headers: { authorization: '****cdef' }, rate_limit: { per_second: 5, burst: 5 } } });
    const del = await t.app.request('/api/v1/enrichment/providers/firmo', { method: 'DELETE', headers: { authorization: bearer(ws.adminKey.key) } });
    expect(del.status).toBe(204);
    const again = await t.app.request('/api/v1/enrichment/providers/firmo', { method: 'DELETE', headers: { authorization: bearer(ws.adminKey.key) } });
    expect(again.status).toBe(404);
  });
});
