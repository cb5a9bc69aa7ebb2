// `npm run bench:journeys [-- --contacts 500 --targets pglite,postgres]`
// Journey steps per second through the real engine (pg-boss jobs, one transaction per
// step): a 3-step journey without messages (branch, update trait, exit) for N contacts
// enrolled by hand, run to the end with runDue (no polling wait). Baseline: bench:jobs.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createApp } from '../src/app.ts';
import { cliActor } from '../src/features/audit/index.ts';
import { createTopic } from '../src/features/consent/index.ts';
import { createBlankContacts } from '../src/features/contacts/index.ts';
import { applyJourney, countJourney, enrollInJourney, launchJourney } from '../src/features/journeys/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';
import { silentLogger } from '../src/platform/logger.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '500' },
    targets: { type: 'string', default: 'pglite,postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});

const JOURNEY = `key: bench
name: Bench
topic: news
trigger: { manual: true }
steps:
  - id: check
    branch: { conditions: [{ trait: { name: plan, op: eq, value: x } }], then: mark, else: mark }
  - id: mark
    update: { trait: { name: bench, value: 1 } }
  - id: fin
    exit: true
`;

async function measure(db: Db) {
  await migrateToLatest(db);
  const keel = createApp({ db, logger: silentLogger() });
  const actor = cliActor();
  const ws = await createWorkspace(db.kysely, 'journey bench');
  await createTopic(db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_out' }, actor);
  const ids = Array.from({ length: Number(values.contacts) }, () => randomUUID());
  await createBlankContacts(db.kysely, ws.id, ids, new Date());
  await applyJourney(db.kysely, ws.id, JOURNEY, actor);
  await launchJourney(keel.journeys.engine, ws.id, 'bench', actor);
  let t = performance.now();
  for (const contactId of ids) await enrollInJourney(keel.journeys.engine, ws.id, 'bench', { contactId });
  const enrollS = (performance.now() - t) / 1000;
  t = performance.now();
  const steps = await keel.journeys.runDue();
  const runS = (performance.now() - t) / 1000;
  const counts = await countJourney(db.kysely, ws.id, 'bench');
  await keel.journeys.stop();
  return { contacts: ids.length, enroll_per_s: Math.round(ids.length / enrollS), step_jobs: steps, steps_per_s: Math.round(steps / runS), exited: counts.runs.exited };
}

for (const target of values.targets.split(',')) {
  if (target === 'pglite') {
    const db = await openDatabase({ kind: 'pglite', dataDir: undefined });
    console.log('pglite', await measure(db));
    await db.close();
  } else {
    const scratch = await createScratchDatabase(values['postgres-url'], 'keel_bench');
    const db = await openDatabase({ kind: 'postgres', url: scratch.url });
    try {
      console.log('postgres', await measure(db));
    } finally {
      await db.close();
      await scratch.drop();
    }
  }
}
