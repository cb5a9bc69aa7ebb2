import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { seedDemoWorkspace } from '../demo/index.ts';
import { MODEL_NAMES, type ModelOptions } from './attribution-models.ts';
import { attributeWorkspace } from './attribution.service.ts';
import { quarterStart } from './attribution.routes.ts';

const ANCHOR = new Date('2026-05-20T12:00:00.000Z');
let db: Db;
let workspaceId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  workspaceId = (await seedDemoWorkspace(db.kysely, { seed: 5, scale: 0.01, anchor: ANCHOR })).workspaceId;
});
afterAll(() => db.close());

const OPTIONS: Partial<Record<string, ModelOptions>> = {
  custom: { milestoneWeights: { first_touch: 0.25, lead_creation: 0.25, opportunity_creation: 0.25, closed_won: 0, between: 0.25 } },
  markov: { order: 2 },
};

describe(`the demo workspace answers "which channels and campaigns drove pipeline last quarter" (${testDatabaseLabel})`, () => {
  it('under every model, by channel and by campaign, crediting all touched pipeline', async () => {
    const from = quarterStart(ANCHOR, 1);
    const to = quarterStart(ANCHOR, 0);
    for (const by of ['channel', 'campaign'] as const) {
      let pipeline: number | undefined;
      // Every model by channel; by campaign a rule-based, a milestone and the two data-driven ones.
      for (const model of by === 'channel' ? MODEL_NAMES : (['linear', 'w-shaped', 'markov', 'shapley'] as const)) {
        const report = await attributeWorkspace(db.kysely, workspaceId, { model, from, to, dimension: by, options: OPTIONS[model] });
        expect(report.journeys.pipeline, `${model} by ${by}`).toBeGreaterThan(0);
        expect(report.totals.opportunities, model).toBeGreaterThan(0);
        // Every model hands out the same pipeline total, only split differently.
        pipeline ??= report.totals.pipeline;
        expect(report.totals.pipeline, `${model} by ${by}`).toBeCloseTo(pipeline, 4);
        expect(report.rows.filter((r) => r.pipeline > 0).length, `${model} by ${by}`).toBeGreaterThan(1);
        if (by === 'channel') expect(report.unmapped, model).toEqual([]);
      }
    }
  });
});
