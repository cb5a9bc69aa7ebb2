import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { bearer, createTestApp, getJson, type TestApp } from '../../testing/test-app.ts';
import { attributeWorkspace, DEFAULT_CHANNEL_RULES, MODEL_NAMES } from '../attribution/index.ts';
import { cliActor } from '../audit/index.ts';
import { importCostsCsv } from '../costs/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { seedFunnel } from './report-fixtures.ts';
import { reportRoi } from './roi.service.ts';

let t: TestApp;
let ws: CreatedWorkspace;

const COSTS = `date,period,channel,campaign,cost,currency
,2026-01,paid_search,,400,USD
2026-01-02,,email, Newsletter-JAN ,100,USD
,2026-Q1,display,,900,usd
`;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('roi');
  await seedFunnel(t, ws);
  expect(await importCostsCsv(t.db.kysely, ws.id, COSTS, cliActor())).toEqual({ rows: 3, inserted: 3, updated: 0 });
});
afterAll(() => t.close());

const JAN = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };
// sql reached by c (01-06, first touch the newsletter click) and a (01-07, paid search).
const SQL_CONVERSIONS = { ...DEFAULT_CHANNEL_RULES, conversions: [{ stage: 'sql', value: 100 }] };

describe(`stage conversions and credits by period (${testDatabaseLabel})`, () => {
  it('counts a lifecycle stage reached as a conversion, skips included', async () => {
    const report = await attributeWorkspace(t.db.kysely, ws.id, { model: 'first-touch', ...JAN, config: SQL_CONVERSIONS });
    const by = Object.fromEntries(report.rows.map((r) => [r.key, r]));
    expect(report.totals.conversions).toBe(2);
    expect(by.paid_search).toMatchObject({ conversions: 1, value: 100 });
    expect(by.email).toMatchObject({ conversions: 1, value: 100 });
    // mql is reached by a, b and c; only a and c have touches: b is untouched.
    const mql = await attributeWorkspace(t.db.kysely, ws.id, { model: 'linear', ...JAN, config: { ...DEFAULT_CHANNEL_RULES, conversions: [{ stage: 'mql' }] } });
    expect([mql.totals.conversions, mql.untouched.conversions]).toEqual([2, 1]);
    await expect(attributeWorkspace(t.db.kysely, ws.id, { model: 'linear', ...JAN, config: { ...DEFAULT_CHANNEL_RULES, conversions: [{ stage: 'vip' }] } })).rejects.toThrow(/stage "vip" is not a lifecycle stage/);
  });

  it('breaks credits down by the day of each conversion; the days add up to the totals', async () => {
    const report = await attributeWorkspace(t.db.kysely, ws.id, { model: 'linear', ...JAN, config: SQL_CONVERSIONS, period: 'day' });
    expect(report.by_period.filter((r) => r.conversions > 0).map((r) => [r.period, r.key, r.conversions])).toEqual([['2026-01-06', 'email', 1], ['2026-01-07', 'paid_search', 1]]);
    // Pipeline on the opportunity's creation day, revenue on its close.
    expect(report.by_period.filter((r) => r.pipeline > 0).map((r) => [r.period, r.key, r.pipeline])).toEqual([['2026-01-10', 'paid_search', 1000]]);
    expect(report.by_period.filter((r) => r.revenue > 0).map((r) => [r.period, r.key, r.revenue])).toEqual([['2026-01-20', 'paid_search', 1000]]);
    const res = await t.app.request('/api/v1/attribution?from=2026-01-01&to=2026-02-01&model=markov&period=month&format=csv', { headers: { authorization: bearer(ws.adminKey.key) } });
    expect((await res.text()).split('\n')[0]).toBe('period,channel,conversions,value,opportunities,pipeline,won,revenue');
  });
});

describe(`ROI per channel and campaign (${testDatabaseLabel})`, () => {
  it('puts attributed pipeline and revenue beside cost, prorating a quarter to January', async () => {
    const report = await reportRoi(t.db.kysely, ws.id, { model: 'first-touch', ...JAN });
    const ch = Object.fromEntries(report.channels.map((r) => [r.key, r]));
    // Default conversions (Demo Requested): a (paid search) and c (email), one each.
    expect(ch.paid_search).toMatchObject({ conversions: 1, opportunities: 1, pipeline: 1000, revenue: 1000, cost: 400, roi: 1.5, cost_per_conversion: 400, cost_per_opportunity: 400 });
    expect(ch.email).toMatchObject({ conversions: 1, revenue: 0, cost: 100, roi: -1, cost_per_conversion: 100, cost_per_opportunity: null });
    // 900 for Q1 (90 days): 31 of them in January. No touch: cost, nothing earned.
    expect(ch.display!.cost).toBeCloseTo(310, 10);
    expect(ch.display).toMatchObject({ pipeline: 0, roi: -1, cost_per_conversion: null });
    const campaigns = Object.fromEntries(report.campaigns.map((r) => [r.key, r]));
    expect(campaigns["newsletter-jan"]).toMatchObject({ conversions: 1, cost: 100 });
    expect(campaigns.brand).toMatchObject({ pipeline: 1000, cost: 0, roi: null });
    expect(report.channel_level_cost).toBeCloseTo(710, 10);
    expect(report.totals.cost).toBeCloseTo(810, 10);
    expect(report.totals.roi).toBeCloseTo((1000 - 810) / 810, 12);
    expect(report.currency).toBe('USD');
  });

  it('hands out the same pipeline under every model', async () => {
    for (const model of MODEL_NAMES) {
      const options = model === 'custom' ? { milestoneWeights: { first_touch: 0.5, lead_creation: 0, opportunity_creation: 0.5, closed_won: 0, between: 0 } } : {};
      const report = await reportRoi(t.db.kysely, ws.id, { model, ...JAN, options });
      expect(report.totals.pipeline, model).toBeCloseTo(1000, 6);
      expect(report.totals.cost, model).toBeCloseTo(810, 6);
    }
  });

  it('refuses mixed currencies unless one is chosen, and serves CSV by API', async () => {
    await importCostsCsv(t.db.kysely, ws.id, 'period,channel,cost,currency\n2026-01,paid_search,50,EUR\n', cliActor());
    await expect(reportRoi(t.db.kysely, ws.id, { model: 'linear', ...JAN })).rejects.toThrow(/EUR, USD: choose one with currency/);
    expect((await reportRoi(t.db.kysely, ws.id, { model: 'linear', ...JAN, currency: 'eur' })).totals.cost).toBe(50);
    const res = await t.app.request('/api/v1/reports/roi?model=linear&from=2026-01-01&to=2026-02-01&currency=USD&format=csv', { headers: { authorization: bearer(ws.adminKey.key) } });
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\n');
    expect(lines[0]).toBe('dimension,key,conversions,opportunities,pipeline,won,revenue,cost,roi,cost_per_conversion,cost_per_opportunity');
    expect(lines).toContain('channel,paid_search,1,1,1000,1,1000,400,1.5,400,400');
    expect(lines[lines.length - 1]!.startsWith('total,(total),')).toBe(true);
    expect((await getJson(t.app, '/api/v1/reports/roi?model=linear&from=2026-01-01&to=2026-02-01', ws.adminKey.key)).status).toBe(400);
  });
});
