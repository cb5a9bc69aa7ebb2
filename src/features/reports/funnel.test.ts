import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, getJson, type TestApp } from '../../testing/test-app.ts';
import { applySegment, findContactId } from '../audiences/index.ts';
import { cliActor } from '../audit/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { reportCohorts, reportFunnel } from './funnel.service.ts';
import { percentile } from './percentiles.ts';
import { seedFunnel } from './report-fixtures.ts';

let t: TestApp;
let ws: CreatedWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('funnel');
  await seedFunnel(t, ws);
});
afterAll(() => t.close());

const JAN = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-02-01T00:00:00Z') };

describe('percentile', () => {
  it('interpolates between the closest ranks, as percentile_cont', () => {
    expect(percentile([1, 2, 3, 10], 0.5)).toBe(2.5);
    expect(percentile([2, 4, 5], 0.75)).toBe(4.5);
    expect(percentile([2, 4, 5], 0.9)).toBeCloseTo(4.8, 12);
    expect(percentile([7], 0.9)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe(`funnel and cohorts (${testDatabaseLabel})`, () => {
  it('counts, stage-to-stage conversion and days in stage, by hand', async () => {
    const report = await reportFunnel(t.db.kysely, ws.id, JAN);
    expect(report.contacts).toBe(4); // d entered in February
    const by = Object.fromEntries(report.stages.map((s) => [s.stage, s]));
    expect(report.stages.map((s) => s.stage)).toEqual(['lead', 'mql', 'sql', 'customer']);
    // lead: a, b, c, e; on to mql (or beyond) in January: a, b, c. Days in lead: a 2, b 5, c 4.
    expect(by.lead).toMatchObject({ reached: 4, entered: 4, skipped: 0, next_stage: 'mql', converted_to_next: 3, conversion_rate: 0.75 });
    expect(by.lead!.days_in_stage.count).toBe(3);
    expect(by.lead!.days_in_stage.median).toBe(4);
    expect(by.lead!.days_in_stage.p75).toBe(4.5);
    expect(by.lead!.days_in_stage.p90).toBeCloseTo(4.8, 10);
    // mql: a, b entered it; c reached it by skipping to sql. On to sql: a, c. Days in mql: a 4.
    expect(by.mql).toMatchObject({ reached: 3, entered: 2, skipped: 1, converted_to_next: 2, days_in_stage: { count: 1, median: 4, p75: 4, p90: 4 } });
    expect(by.mql!.conversion_rate).toBeCloseTo(2 / 3, 12);
    expect(by.sql).toMatchObject({ reached: 2, entered: 2, converted_to_next: 1, conversion_rate: 0.5, days_in_stage: { count: 1, median: 10 } });
    expect(by.customer).toMatchObject({ reached: 1, next_stage: null, conversion_rate: null, days_in_stage: { count: 0, median: null } });
  });

  it('counts a move to the next stage only before the end of the range', async () => {
    // Up to 01-07 00:00: a's sql (01-07 12:00) has not happened; c reached sql 01-06.
    const report = await reportFunnel(t.db.kysely, ws.id, { from: JAN.from, to: new Date('2026-01-07T00:00:00Z') });
    const mql = report.stages.find((s) => s.stage === 'mql')!;
    expect(mql).toMatchObject({ reached: 3, converted_to_next: 1, days_in_stage: { count: 0 } });
  });

  it('filters by segment', async () => {
    const members = [await findContactId(t.db.kysely, ws.id, 'a@acme.example'), await findContactId(t.db.kysely, ws.id, 'c@acme.example')];
    await applySegment(t.db.kysely, ws.id, { name: 'Picked', type: 'static', members }, cliActor());
    const report = await reportFunnel(t.db.kysely, ws.id, { ...JAN, segment: 'Picked' });
    expect(report.stages.map((s) => s.reached)).toEqual([2, 2, 2, 1]);
    await expect(reportFunnel(t.db.kysely, ws.id, { segment: 'Nope' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('follows each month of new leads down the funnel', async () => {
    const report = await reportCohorts(t.db.kysely, ws.id, {});
    expect(report.entry_stage).toBe('lead');
    expect(report.cohorts.map((c) => [c.month, c.size])).toEqual([['2026-01', 4], ['2026-02', 1]]);
    const jan = Object.fromEntries(report.cohorts[0]!.stages.map((s) => [s.stage, s]));
    // mql: a (2 days), b (5), c (4, by skipping); sql: a (6), c (4); customer: a (16).
    expect(jan.mql).toMatchObject({ reached: 3, share: 0.75, days_from_entry: { median: 4 } });
    expect(jan.sql).toMatchObject({ reached: 2, share: 0.5, days_from_entry: { median: 5 } });
    expect(jan.customer).toMatchObject({ reached: 1, share: 0.25, days_from_entry: { median: 16 } });
    const feb = report.cohorts[1]!.stages;
    expect(feb.map((s) => [s.stage, s.reached, s.days_from_entry.median])).toEqual([['mql', 1, 2], ['sql', 0, null], ['customer', 0, null]]);
    await expect(reportCohorts(t.db.kysely, ws.id, { entryStage: 'nope' })).rejects.toThrow(/entry_stage "nope"/);
  });

  it('serves both by API as JSON and as CSV', async () => {
    const json = await getJson(t.app, '/api/v1/reports/funnel?from=2026-01-01&to=2026-02-01', ws.adminKey.key);
    expect(json.status).toBe(200);
    expect((json.body.stages as Array<{ reached: number }>).map((s) => s.reached)).toEqual([4, 3, 2, 1]);
    // Entry mql: a (01-03), b and c (01-06). sql: c 0 days, a 4 days; customer: a 14 days.
    const res = await t.app.request('/api/v1/reports/cohorts?format=csv&entry_stage=mql', { headers: { authorization: `Bearer ${ws.adminKey.key}` } });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await res.text()).split('\n').slice(0, 3)).toEqual(['month,entry_stage,size,stage,reached,share,median_days,p75_days,p90_days', '2026-01,mql,3,sql,2,0.666666666666667,2,3,3.6', '2026-01,mql,3,customer,1,0.333333333333333,14,14,14']);
    const bad = await getJson(t.app, '/api/v1/reports/funnel?from=2026-02-01&to=2026-01-01', ws.adminKey.key);
    expect(bad.status).toBe(400);
  });
});
