import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { attributeWorkspace, MODEL_NAMES, quarterStart, type ModelOptions } from '../attribution/index.ts';
import { ENTERPRISE_EMPLOYEES, seedDemoWorkspace } from '../demo/index.ts';
import { reportFunnel } from './funnel.service.ts';
import { reportRoi } from './roi.service.ts';

const ANCHOR = new Date('2026-05-20T12:00:00.000Z');
let db: Db;
let workspaceId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  // Scale 0.03 (60 accounts): at 0.01 first-touch credits enterprise pipeline to one campaign only.
  workspaceId = (await seedDemoWorkspace(db.kysely, { seed: 11, scale: 0.03, anchor: ANCHOR })).workspaceId;
}, 300_000);
afterAll(() => db.close());

const OPTIONS: Partial<Record<string, ModelOptions>> = {
  custom: { milestoneWeights: { first_touch: 0.25, lead_creation: 0.25, opportunity_creation: 0.25, closed_won: 0, between: 0.25 } },
  markov: { order: 2 },
};

describe(`the demo answers "which channels and campaigns drove enterprise pipeline last quarter" (${testDatabaseLabel})`, () => {
  it('under every model, with cost and ROI per channel and campaign', async () => {
    const period = { from: quarterStart(ANCHOR, 1), to: quarterStart(ANCHOR, 0) };
    let pipeline: number | undefined;
    for (const model of MODEL_NAMES) {
      const report = await reportRoi(db.kysely, workspaceId, { model, ...period, minEmployees: ENTERPRISE_EMPLOYEES, options: OPTIONS[model] });
      expect(report.totals.pipeline, model).toBeGreaterThan(0);
      pipeline ??= report.totals.pipeline;
      expect(report.totals.pipeline, model).toBeCloseTo(pipeline, 4);
      expect(report.channels.filter((r) => r.pipeline > 0).length, model).toBeGreaterThan(1);
      expect(report.campaigns.filter((r) => r.pipeline > 0 && r.key !== '(none)').length, model).toBeGreaterThan(1);
      // The seeded spend sits beside it: paid channels have cost, and so an ROI.
      for (const channel of ['paid_search', 'paid_social', 'events', 'email']) expect(report.channels.find((r) => r.key === channel)?.cost, `${model} ${channel}`).toBeGreaterThan(0);
      expect(report.channels.find((r) => r.key === 'paid_search')!.roi, model).not.toBeNull();
      expect(report.currency).toBe('EUR');
    }
  }, 180_000);

  it('breaks enterprise pipeline down by month, adding up to the quarter', async () => {
    const report = await attributeWorkspace(db.kysely, workspaceId, { model: 'w-shaped', from: quarterStart(ANCHOR, 1), to: quarterStart(ANCHOR, 0), minEmployees: ENTERPRISE_EMPLOYEES, period: 'month' });
    expect(new Set(report.by_period.map((r) => r.period))).toEqual(new Set(['2026-01', '2026-02', '2026-03']));
    const summed = report.by_period.reduce((a, r) => a + r.pipeline, 0);
    expect(summed).toBeCloseTo(report.totals.pipeline, 6);
  });

  it('has a lifecycle funnel', async () => {
    const report = await reportFunnel(db.kysely, workspaceId);
    const reached = Object.fromEntries(report.stages.map((s) => [s.stage, s.reached]));
    for (const stage of ['lead', 'mql', 'sql', 'opportunity', 'customer']) expect(reached[stage], stage).toBeGreaterThan(0);
  });
});
