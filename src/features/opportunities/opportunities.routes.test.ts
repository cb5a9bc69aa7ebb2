import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let accountId: string;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('deals');
  await postIngest(t.app, '/v1/group', { userId: 'u1', groupId: 'acme', traits: { name: 'Acme', employees: 3000 } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  accountId = String((await getJson(t.app, '/api/v1/accounts', ws.adminKey.key)).body.data![0]!.id);
});
afterAll(() => t.close());

const post = (body: unknown) =>
  t.app.request('/api/v1/opportunities', { method: 'POST', body: JSON.stringify(body), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });

describe(`opportunities API (${testDatabaseLabel})`, () => {
  it('creates, lists by status and account, and reads opportunities with exact amounts', async () => {
    const won = await post({ account_id: accountId, name: 'Acme expansion', amount: '1234567890123.45', currency: 'USD', stage: 'Closed Won', created_date: '2026-02-01', closed_date: '2026-04-01', external_id: 'sf-1' });
    expect(won.status).toBe(201);
    const created = (await won.json()) as { id: string; amount: string; status: string };
    expect(created).toMatchObject({ amount: '1234567890123.45', status: 'won' });
    expect((await post({ account_id: accountId, name: 'Acme new seat', amount: 900, currency: 'EUR', stage: 'Proposal', created_date: '2026-05-01' })).status).toBe(201);
    const wonList = await getJson(t.app, '/api/v1/opportunities?status=won', ws.adminKey.key);
    expect(wonList.body.data!.map((o) => o.name)).toEqual(['Acme expansion']);
    const byAccount = await getJson(t.app, `/api/v1/opportunities?account_id=${accountId}`, ws.adminKey.key);
    expect(byAccount.body.data).toHaveLength(2);
    const one = await getJson(t.app, `/api/v1/opportunities/${created.id}`, ws.adminKey.key);
    expect(one.body).toMatchObject({ external_id: 'sf-1', account_id: accountId });
  });

  it('refuses malformed JSON with 400 and bodies over 1 MB with 413, before parsing', async () => {
    const malformed = await t.app.request('/api/v1/opportunities', {
      method: 'POST',
      body: '{"account_id": ',
      headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid');
    const huge = await post({ account_id: accountId, name: 'x'.repeat(2_000_000), amount: 1, currency: 'USD', stage: 'Open', created_date: '2026-01-01' });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toMatch(/1048576/);
  });

  it('refuses bad input with errors that name the field, and duplicates with 409', async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ account_id: accountId, name: 'x', amount: -5, currency: 'USD', stage: 'Open', created_date: '2026-01-01' }, 400, /amount/],
      [{ account_id: accountId, name: 'x', amount: 5, currency: 'dollars', stage: 'Open', created_date: '2026-01-01' }, 400, /currency/],
      [{ account_id: accountId, name: 'x', amount: 5, currency: 'USD', stage: 'Open', created_date: '2026-03-01', closed_date: '2026-01-01' }, 400, /closed/i],
      [{ account_id: accountId, name: 'x', amount: 5, currency: 'USD', stage: 'Open', created_date: 'soon' }, 400, /created_date/],
      [{ account_id: accountId, name: 'x', amount: 5, currency: 'USD', stage: 'Open', created_date: '2026-01-01', probability: 0.5 }, 400, /probability/],
      [{ account_id: '00000000-0000-4000-8000-000000000000', name: 'x', amount: 5, currency: 'USD', stage: 'Open', created_date: '2026-01-01' }, 404, /account/i],
      [{ account_id: accountId, name: 'dup', amount: 5, currency: 'USD', stage: 'Open', created_date: '2026-01-01', external_id: 'sf-1' }, 409, /sf-1/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(body);
      const text = await res.text();
      expect(res.status, text).toBe(status);
      expect(text).toMatch(message);
    }
  });
});
