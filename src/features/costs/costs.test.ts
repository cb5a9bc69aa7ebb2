import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { bearer, createTestApp, getJson, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { importCostsCsv, listCosts, listCostsInRange } from './costs.service.ts';

let t: TestApp;
let ws: CreatedWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('costs');
});
afterAll(() => t.close());

const importing = (csv: string) => importCostsCsv(t.db.kysely, ws.id, csv, cliActor());
const problemsOf = async (csv: string) => {
  try {
    await importing(csv);
  } catch (error) {
    return (error as { details: { problems: unknown[] }; message: string }).details.problems;
  }
  throw new Error('import was accepted');
};
const YEAR = { from: new Date('2026-01-01'), to: new Date('2027-01-01') };

describe(`cost import (${testDatabaseLabel})`, () => {
  it('imports dates and periods, normalises channel and campaign, replaces a repeated row', async () => {
    const csv = 'Date,Channel,Campaign,Cost,Currency\r\n2026-03-02,Paid_Search,Brand Search,120.5,eur\r\n"2026-03-03",email,"spring, launch",80,EUR\r\n';
    expect(await importing(csv)).toEqual({ rows: 2, inserted: 2, updated: 0 });
    expect(await importing('period,channel,cost,currency\n2026-W10,display,700,EUR\n2026-03,paid_search,3100,EUR\n')).toEqual({ rows: 2, inserted: 2, updated: 0 });
    expect(await importing('date,channel,campaign,cost,currency\n2026-03-02,paid_search,brand_search,99,EUR\n')).toEqual({ rows: 1, inserted: 0, updated: 1 });
    const rows = await listCosts(t.db.kysely, ws.id, YEAR.from, YEAR.to);
    expect(rows.map((r) => [r.period_start, r.period_end, r.channel, r.campaign, r.cost, r.currency])).toEqual([
      ['2026-03-01', '2026-04-01', 'paid_search', '', 3100, 'EUR'],
      ['2026-03-02', '2026-03-09', 'display', '', 700, 'EUR'],
      ['2026-03-02', '2026-03-03', 'paid_search', 'brand_search', 99, 'EUR'],
      ['2026-03-03', '2026-03-04', 'email', 'spring,_launch', 80, 'EUR'],
    ]);
    // March 1-10: the month counts for 10 of its 31 days, the week (Mon 2 - Sun 8) whole.
    const inRange = await listCostsInRange(t.db.kysely, ws.id, new Date('2026-03-01'), new Date('2026-03-11'));
    expect(inRange.find((r) => r.campaign === '' && r.channel === 'paid_search')!.cost).toBeCloseTo(1000, 10);
    expect(inRange.find((r) => r.channel === 'display')!.cost).toBe(700);
  });

  it('refuses a broken CSV, naming the line', async () => {
    await expect(importing('date,channel,cost,currency\n2026-03-02,email,"80,EUR\n')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/CSV is broken/) });
    await expect(importing('date,channel,cost,currency\n2026-03-02,email,80\n')).rejects.toMatchObject({ code: 'invalid', message: expect.stringMatching(/broken at line 2/) });
    await expect(importing('')).rejects.toThrow(/CSV is empty/);
    await expect(importing('date,channel,cost,currency\n')).rejects.toThrow(/header and no rows/);
    await expect(importing('date,channel,amount,currency\n2026-03-02,email,1,EUR\n')).rejects.toThrow(/unknown column\(s\) "amount"/);
    await expect(importing('channel,cost,currency\nemail,1,EUR\n')).rejects.toThrow(/missing column\(s\) date or period/);
  });

  it('names row, column and value of every bad cell, and imports nothing', async () => {
    const csv = ['date,channel,campaign,cost,currency', '2026-05-01,email,ok,10,EUR', '2026-05-01,tv,,10,EUR', '2026-13-01,email,,10,EUR', '2026-05-02,email,,"1,000.00",EUR', '2026-05-03,email,,abc,EUR', '2026-05-03,email,,-5,EUR', '2026-05-04,email,,5,euro', '2026-05,email,,5,EUR', '2026-05-01,email,OK,3,EUR'].join('\n');
    const problems = await problemsOf(csv);
    expect(problems).toEqual([
      expect.objectContaining({ row: 2, line: 3, column: 'channel', value: 'tv', reason: expect.stringMatching(/not a channel of this workspace's grouping \(direct, paid_social, .*other\)/) }),
      expect.objectContaining({ row: 3, column: 'date', value: '2026-13-01' }),
      expect.objectContaining({ row: 4, column: 'cost', value: '1,000.00', reason: expect.stringMatching(/with a dot for decimals/) }),
      expect.objectContaining({ row: 5, column: 'cost', value: 'abc' }),
      expect.objectContaining({ row: 6, column: 'cost', value: '-5' }),
      expect.objectContaining({ row: 7, column: 'currency', value: 'euro' }),
      expect.objectContaining({ row: 8, column: 'date', value: '2026-05', reason: expect.stringMatching(/a period, not a date/) }),
      expect.objectContaining({ row: 9, column: 'campaign', reason: 'repeats row 1 (same period, channel, campaign and currency)' }),
    ]);
    expect((await listCosts(t.db.kysely, ws.id, new Date('2026-05-01'), new Date('2026-06-01'))).length).toBe(0);
  });

  it('imports by API as CSV or JSON rows, and lists as CSV; errors are 400 with the problems', async () => {
    const post = (path: string, body: string, type: string) => t.app.request(path, { method: 'POST', body, headers: { authorization: bearer(ws.adminKey.key), 'content-type': type } });
    const csv = await post('/api/v1/costs/import', 'period,channel,campaign,cost,currency\n2026-Q2,events,mops-summit,25000,EUR\n', 'text/csv');
    expect([csv.status, await csv.json()]).toEqual([201, { rows: 1, inserted: 1, updated: 0 }]);
    const json = await post('/api/v1/costs', JSON.stringify({ rows: [{ date: '2026-04-02', channel: 'paid_social', campaign: 'abm', cost: 1500.25, currency: 'EUR' }] }), 'application/json');
    expect(json.status).toBe(201);
    const bad = await post('/api/v1/costs', JSON.stringify({ rows: [{ date: '2026-04-02', channel: 'radio', cost: 'lots', currency: 'EUR' }] }), 'application/json');
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { message: string; details: { problems: Array<{ column: string }> } } };
    expect(body.error.details.problems.map((p) => p.column)).toEqual(['channel', 'cost']);
    const list = await t.app.request('/api/v1/costs?from=2026-04-01&to=2026-07-01&format=csv', { headers: { authorization: bearer(ws.adminKey.key) } });
    expect((await list.text()).split('\n').slice(0, 3)).toEqual(['period_start,period_end,channel,campaign,cost,currency,source', '2026-04-01,2026-07-01,events,mops-summit,25000,EUR,api-csv', '2026-04-02,2026-04-03,paid_social,abm,1500.25,EUR,api']);
    const openapi = await getJson(t.app, '/api/v1/openapi.json', ws.adminKey.key);
    const paths = Object.keys(openapi.body.paths as Record<string, unknown>);
    for (const p of ['/api/v1/costs', '/api/v1/costs/import', '/api/v1/reports/funnel', '/api/v1/reports/cohorts', '/api/v1/reports/roi']) expect(paths).toContain(p);
  });
});
