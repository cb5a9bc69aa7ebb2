// `npm run bench:quality [-- --events 50000 --scale 1 --targets pglite,postgres]`
// 1. The tracking-plan hook's cost: the ingest worker processes the same demo events in a
//    fresh database without a plan, then in another with the demo's tracking plan applied.
// 2. The data-health report on the demo workspace (seeded through ingest at --scale),
//    against GET /api/v1/stats (counts of the same tables) measured in the same run.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cliActor } from '../src/features/audit/index.ts';
import { buildHealthReport } from '../src/features/data-health/index.ts';
import { demoEventBatches, seedDemoWorkspace } from '../src/features/demo/index.ts';
import { acceptEvents, INGEST_MAINTENANCE, processInbox, validateEvent, type AcceptedEvent } from '../src/features/ingest/index.ts';
import { getWorkspaceStats } from '../src/features/stats/index.ts';
import { applyTrackingPlan, checkEventsAgainstTrackingPlan } from '../src/features/tracking-plan/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { createTableMaintenance } from '../src/platform/db/maintenance.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    scale: { type: 'string', default: '1' },
    targets: { type: 'string', default: 'pglite' },
    parts: { type: 'string', default: 'hook,report' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const EVENTS = Number(values.events);
const SCALE = Number(values.scale);
const DEMO_PLAN = readFileSync(new URL('../src/features/demo/demo-tracking-plan.yaml', import.meta.url), 'utf8');
const n = (v: number) => Math.round(v).toLocaleString('en-US');

async function withDatabase<T>(target: string, fn: (db: Db) => Promise<T>): Promise<T> {
  if (target !== 'pglite' && target !== 'postgres') throw new Error(`unknown target "${target}": use pglite and/or postgres`);
  const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench') : undefined;
  const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
  try {
    await migrateToLatest(db);
    return await fn(db);
  } finally {
    await db.close();
    await scratch?.drop();
  }
}

/** Events/s of processInbox over the demo events, with or without the demo tracking plan. */
async function measureProcessing(db: Db, withPlan: boolean) {
  const ws = await createWorkspace(db.kysely, 'hook bench');
  if (withPlan) await applyTrackingPlan(db.kysely, ws.id, DEMO_PLAN, cliActor());
  for (const batch of demoEventBatches({ seed: 42, maxEvents: EVENTS, batchSize: 100 })) await acceptEvents(db.kysely, ws.id, { events: batch, receivedAt: new Date() });
  const maintenance = await createTableMaintenance(db.kysely, db.kind, INGEST_MAINTENANCE);
  const started = performance.now();
  const outcome = await processInbox(db.kysely, { maintenance });
  return { events: outcome.events, perSec: outcome.events / ((performance.now() - started) / 1000) };
}

/** The hook alone: checking and recording 1,000-event chunks against the demo plan, one transaction each. */
async function measureHookAlone(db: Db) {
  const ws = await createWorkspace(db.kysely, 'hook alone');
  await applyTrackingPlan(db.kysely, ws.id, DEMO_PLAN, cliActor());
  const events: AcceptedEvent[] = [];
  for (const batch of demoEventBatches({ seed: 42, maxEvents: EVENTS, batchSize: 100 })) {
    for (const raw of batch) {
      const v = validateEvent({ raw, type: undefined, receivedAt: new Date(), batchSentAt: undefined, batchContext: undefined });
      if (v.ok) events.push(v.event);
    }
  }
  const started = performance.now();
  for (let i = 0; i < events.length; i += 1000) await db.kysely.transaction().execute((trx) => checkEventsAgainstTrackingPlan(trx, ws.id, events.slice(i, i + 1000)));
  const ms = performance.now() - started;
  return { perSec: events.length / (ms / 1000), msPerChunk: ms / Math.ceil(events.length / 1000) };
}

async function median(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const targets = values.targets.split(',').map((t) => t.trim());
const parts = new Set(values.parts.split(','));
if (parts.has('hook')) {
  console.log('| target | events | processed, no plan (events/s) | processed, demo plan (events/s) | with plan / without | hook alone (events/s) | hook per 1,000-event chunk (ms) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const target of targets) {
    const without = await withDatabase(target, (db) => measureProcessing(db, false));
    const withPlan = await withDatabase(target, (db) => measureProcessing(db, true));
    const alone = await withDatabase(target, measureHookAlone);
    console.log(
      `| ${target} | ${n(withPlan.events)} | ${n(without.perSec)} | ${n(withPlan.perSec)} | ${Math.round((100 * withPlan.perSec) / without.perSec)}% | ${n(alone.perSec)} | ${alone.msPerChunk.toFixed(1)} |`,
    );
  }
}
if (parts.has('report')) {
  console.log('\n| target | demo scale | known contacts | accounts | events | seed (s) | data-health report, median of 5 (ms) | stats, median of 5 (ms) | report / stats |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const target of targets) {
    await withDatabase(target, async (db) => {
      const seedStarted = performance.now();
      const seeded = await seedDemoWorkspace(db.kysely, { scale: SCALE, seed: 1, maintenance: await createTableMaintenance(db.kysely, db.kind, INGEST_MAINTENANCE) });
      const seedSeconds = (performance.now() - seedStarted) / 1000;
      const stats = await getWorkspaceStats(db.kysely, seeded.workspaceId);
      const reportMs = await median(5, () => buildHealthReport(db.kysely, seeded.workspaceId));
      const statsMs = await median(5, () => getWorkspaceStats(db.kysely, seeded.workspaceId));
      console.log(
        `| ${target} | ${SCALE} | ${n(stats.known_contacts)} | ${n(stats.accounts)} | ${n(stats.events)} | ${seedSeconds.toFixed(0)} | ${reportMs.toFixed(0)} | ${statsMs.toFixed(0)} | ${(reportMs / statsMs).toFixed(1)}× |`,
      );
    });
  }
}
