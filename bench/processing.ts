// `npm run bench:processing [-- --events 100000 --targets pglite,postgres]`
// The ingest worker alone, in-process: accept the demo events into the inbox, then time
// processInbox (identity resolution, contact and account updates, the events insert)
// until the inbox is empty. No HTTP and no load generator share the CPU.
import { parseArgs } from 'node:util';
import { demoEventBatches } from '../src/features/demo/index.ts';
import { acceptEvents, INGEST_MAINTENANCE, processInbox } from '../src/features/ingest/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { createTableMaintenance } from '../src/platform/db/maintenance.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '100000' },
    targets: { type: 'string', default: 'pglite,postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const EVENTS = Number(values.events);

async function measure(db: Db) {
  await migrateToLatest(db);
  const ws = await createWorkspace(db.kysely, 'processing bench');
  let accepted = 0;
  const acceptStarted = performance.now();
  for (const batch of demoEventBatches({ seed: 42, maxEvents: EVENTS, batchSize: 100 })) {
    accepted += (await acceptEvents(db.kysely, ws.id, { events: batch, receivedAt: new Date() })).accepted;
  }
  const acceptSeconds = (performance.now() - acceptStarted) / 1000;
  const maintenance = await createTableMaintenance(db.kysely, db.kind, INGEST_MAINTENANCE);
  const started = performance.now();
  const outcome = await processInbox(db.kysely, { maintenance });
  const seconds = (performance.now() - started) / 1000;
  return { accepted, acceptPerSec: accepted / acceptSeconds, processedPerSec: outcome.events / seconds, stored: outcome.events };
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');
console.log('| target | events | accept into inbox, one client (events/s) | process (events/s) |');
console.log('| --- | ---: | ---: | ---: |');
for (const target of values.targets.split(',').map((t) => t.trim())) {
  if (target !== 'pglite' && target !== 'postgres') throw new Error(`unknown target "${target}": use pglite and/or postgres`);
  const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench') : undefined;
  const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
  try {
    const r = await measure(db);
    console.log(`| ${target}${target === 'pglite' ? ' (in memory)' : ''} | ${n(r.stored)} | ${n(r.acceptPerSec)} | ${n(r.processedPerSec)} |`);
  } finally {
    await db.close();
    await scratch?.drop();
  }
}
