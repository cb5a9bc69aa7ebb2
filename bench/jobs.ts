// `npm run bench:jobs [-- --jobs 2000 --batch 100 --targets pglite,postgres]`
// Raw job-queue throughput (pg-boss 10 through Keel's Db handle) with empty jobs: the
// baseline for journey steps. Queueing is one insert per job; working is fetch-in-batches
// with `drain` (no polling wait), so the figure is the database's, not the poll interval's.
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';
import { createJobQueue } from '../src/platform/jobs/job-queue.ts';
import { silentLogger } from '../src/platform/logger.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2000' },
    batch: { type: 'string', default: '100' },
    targets: { type: 'string', default: 'pglite,postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});

async function measure(db: Db): Promise<Record<string, number | string>> {
  await migrateToLatest(db);
  const queue = createJobQueue(db, silentLogger(), { supervise: false });
  const started = performance.now();
  await queue.start();
  const startMs = performance.now() - started;
  const n = Number(values.jobs);
  let t = performance.now();
  for (let i = 0; i < n; i += 1) await queue.send('bench', { i });
  const sendS = (performance.now() - t) / 1000;
  t = performance.now();
  let seen = 0;
  await queue.drain<{ i: number }>('bench', async (jobs) => void (seen += jobs.length), { batchSize: Number(values.batch) });
  const workS = (performance.now() - t) / 1000;
  await queue.stop();
  if (seen !== n) throw new Error(`worked ${seen} of ${n} jobs`);
  return { jobs: n, start_ms: Math.round(startMs), send_per_s: Math.round(n / sendS), work_per_s: Math.round(n / workS) };
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
