import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { systemActor } from '../audit/index.ts';
import { DEMO_NURTURE_KEY, seedDemoEngagement, seedDemoWorkspace } from '../demo/index.ts';
import { launchJourney } from '../journeys/index.ts';
import { reportCampaign } from './campaign-report.service.ts';

let t: TestApp;
let workspaceId: string;

beforeAll(async () => {
  t = await createTestApp();
  workspaceId = (await seedDemoWorkspace(t.db.kysely, { seed: 5, scale: 0.01 })).workspaceId;
  await launchJourney(t.journeys.engine, workspaceId, DEMO_NURTURE_KEY, systemActor('demo'));
  await t.journeys.runDue();
}, 300_000);
afterAll(() => t.close());

describe(`the demo's nurture journey in the campaign report (${testDatabaseLabel})`, () => {
  it('shows its sends, the seeded opens (human and machine) and clicks, and the holdout', async () => {
    const before = await reportCampaign(t.db.kysely, workspaceId, DEMO_NURTURE_KEY);
    expect(before.totals.sent).toBeGreaterThan(0);
    expect(before.totals.opened_total).toBe(0);
    // "now" a minute on, so the messages just sent are old enough for a person's open.
    const seeded = (await seedDemoEngagement(t.db.kysely, workspaceId, { now: new Date(Date.now() + 60_000) }))!;
    expect(seeded.humanOpens).toBeGreaterThan(0);
    const report = await reportCampaign(t.db.kysely, workspaceId, DEMO_NURTURE_KEY);
    expect(report.totals).toMatchObject({ human_opened_unique: seeded.humanOpens, machine_opened_total: seeded.machineOpens, clicked_unique: seeded.clicks });
    expect(report.totals.entered + (report.holdout?.holdout_entered ?? 0)).toBeGreaterThan(0);
    expect(report.steps.filter((s) => s.channel === 'email').length).toBeGreaterThan(0);
  });
});
