// `npm run bench:journeys [-- --contacts 5000 --targets pglite,postgres --workers 1 --probe-ms 100]`
// Journey steps per second through the real engine and its workers (`journeys.start()`, as
// `keel start` runs them): a 3-step journey without messages (branch on a trait, update a
// trait, exit) for N contacts of a static segment, entered at launch. Beside it, in the
// same run on the same database, the baseline: raw pg-boss throughput with as many empty
// jobs, fetched in batches of the same size (what bench:jobs measures). Meanwhile a probe
// sends GET /api/v1/journeys through the app every --probe-ms and times it: the latency an
// API user sees while the enrollment and then the steps run (on PGlite they share one
// connection). --workers N (PostgreSQL) runs N engines on N pools, as N processes would.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createApp, type KeelApp } from '../src/app.ts';
import { applySegment, changeStaticSegmentMembers } from '../src/features/audiences/index.ts';
import { cliActor } from '../src/features/audit/index.ts';
import { createTopic } from '../src/features/consent/index.ts';
import { createBlankContacts } from '../src/features/contacts/index.ts';
import { applyJourney, countJourney, launchJourney, STEP_BATCH_SIZE } from '../src/features/journeys/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';
import { createJobQueue } from '../src/platform/jobs/job-queue.ts';
import { silentLogger } from '../src/platform/logger.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '5000' },
    targets: { type: 'string', default: 'pglite,postgres' },
    workers: { type: 'string', default: '1' },
    'probe-ms': { type: 'string', default: '100' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const N = Number(values.contacts);
const BATCH = STEP_BATCH_SIZE;
const STEPS_PER_RUN = 3;

const JOURNEY = `key: bench
name: Bench
topic: news
trigger: { segment: { name: bench-list, include_existing: true } }
steps:
  - id: check
    branch: { conditions: [{ trait: { name: plan, op: eq, value: x } }], then: mark, else: mark }
  - id: mark
    update: { trait: { name: bench, value: 1 } }
  - id: fin
    exit: true
`;

/** Raw pg-boss: as many empty jobs as the journey makes, sent in one insert, fetched and completed in batches. */
async function queueBaseline(db: Db, jobs: number): Promise<number> {
  const queue = createJobQueue(db, silentLogger(), { supervise: false });
  await queue.sendMany('bench-empty', Array.from({ length: jobs }, (_, i) => ({ data: { i } })));
  const t = performance.now();
  const done = await queue.drain('bench-empty', async () => undefined, { batchSize: BATCH });
  const s = (performance.now() - t) / 1000;
  await queue.stop();
  if (done !== jobs) throw new Error(`worked ${done} of ${jobs} empty jobs`);
  return done / s;
}

/**
 * Times GET /api/v1/journeys every --probe-ms until stopped: from when the request was due
 * (the previous answer + probe-ms) to its answer, so time the event loop was blocked counts
 * too. Each sample counts in every phase it overlapped.
 */
function startProbe(keel: KeelApp, key: string) {
  const samples: Array<{ from: number; to: number }> = [];
  const phases: Array<{ name: string; from: number }> = [{ name: 'idle', from: performance.now() }];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const due = performance.now() + Number(values['probe-ms']);
      await sleep(Number(values['probe-ms']));
      const res = await keel.app.request('/api/v1/journeys', { headers: { authorization: `Bearer ${key}` } });
      if (res.status !== 200) throw new Error(`probe GET answered ${res.status}`);
      await res.arrayBuffer();
      samples.push({ from: due, to: performance.now() });
    }
  })();
  return {
    set: (name: string) => void phases.push({ name, from: performance.now() }),
    async stop() {
      stopped = true;
      await loop;
      const end = (i: number) => phases[i + 1]?.from ?? Infinity;
      return (name: string) => {
        const i = phases.findIndex((p) => p.name === name);
        return samples.filter((s) => s.from < end(i) && s.to > phases[i]!.from).map((s) => s.to - s.from);
      };
    },
  };
}

const pct = (xs: number[], p: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!);

async function measure(dbs: Db[]) {
  const db = dbs[0]!;
  await migrateToLatest(db);
  const baseline = await queueBaseline(db, N * STEPS_PER_RUN);
  const apps = dbs.map((d) => createApp({ db: d, logger: silentLogger(), jobs: { pollingIntervalSeconds: 0.5 } }));
  const keel = apps[0]!;
  const actor = cliActor();
  const ws = await createWorkspace(db.kysely, 'journey bench');
  await createTopic(db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_out' }, actor);
  const ids = Array.from({ length: N }, () => randomUUID());
  await createBlankContacts(db.kysely, ws.id, ids, new Date());
  await applySegment(db.kysely, ws.id, { name: 'bench-list', type: 'static', members: [] }, actor);
  await changeStaticSegmentMembers(db.kysely, ws.id, 'bench-list', { add: ids }, actor);
  await applyJourney(db.kysely, ws.id, JOURNEY, actor);
  const probe = startProbe(keel, ws.adminKey.key);
  await sleep(1000);
  probe.set('enroll');
  let t = performance.now();
  const launched = await launchJourney(keel.journeys.engine, ws.id, 'bench', actor);
  const enrollS = (performance.now() - t) / 1000;
  probe.set('steps');
  t = performance.now();
  for (const app of apps) await app.journeys.start();
  let exited = 0;
  while (exited < N) {
    await sleep(200);
    exited = (await countJourney(db.kysely, ws.id, 'bench')).runs.exited ?? 0;
  }
  const stepsS = (performance.now() - t) / 1000;
  const of = await probe.stop();
  for (const app of apps) await app.journeys.stop();
  const steps = of('steps');
  const counts = await countJourney(db.kysely, ws.id, 'bench');
  const executed = counts.steps.reduce((n, s) => n + s.entered, 0);
  return {
    contacts: launched.enrolled,
    workers: apps.length,
    steps: executed,
    steps_per_s: Math.round(executed / stepsS),
    queue_per_s: Math.round(baseline),
    enroll_per_s: Math.round(launched.enrolled / enrollS),
    get_idle_p50: pct(of('idle'), 0.5),
    get_enroll_max: Math.max(...of('enroll'), 0),
    get_steps: `${pct(steps, 0.5).toFixed(0)}/${pct(steps, 0.95).toFixed(0)}/${Math.max(...steps).toFixed(0)} (${steps.length})`,
  };
}

const rows: Array<Record<string, string | number>> = [];
for (const target of values.targets.split(',')) {
  if (target === 'pglite') {
    const db = await openDatabase({ kind: 'pglite', dataDir: undefined });
    rows.push({ target, ...(await measure([db])) });
    await db.close();
  } else {
    const scratch = await createScratchDatabase(values['postgres-url'], 'keel_bench');
    const dbs = await Promise.all(Array.from({ length: Number(values.workers) }, () => openDatabase({ kind: 'postgres', url: scratch.url })));
    try {
      rows.push({ target, ...(await measure(dbs)) });
    } finally {
      for (const d of dbs) await d.close();
      await scratch.drop();
    }
  }
}

const COLUMNS: Array<[string, string]> = [
  ['target', 'target'],
  ['contacts', 'contacts'],
  ['workers', 'workers'],
  ['steps', 'steps'],
  ['steps_per_s', 'journey steps/s'],
  ['queue_per_s', 'baseline: empty pg-boss jobs/s'],
  ['ratio', 'steps/baseline'],
  ['enroll_per_s', 'enrolled/s (launch)'],
  ['get_idle_p50', 'GET ms idle p50'],
  ['get_enroll_max', 'GET ms max during enroll'],
  ['get_steps', 'GET ms during steps p50/p95/max (n)'],
];
const cells = rows.map((r) => COLUMNS.map(([k]) => (k === 'ratio' ? (Number(r.steps_per_s) / Number(r.queue_per_s)).toFixed(2) : typeof r[k] === 'number' ? String(Math.round(Number(r[k]))) : String(r[k]))));
const widths = COLUMNS.map(([, h], i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => `| ${c.map((x, i) => x.padStart(widths[i]!)).join(' | ')} |`;
console.log(`journey steps (branch, update, exit) beside raw pg-boss with empty jobs, batch ${BATCH}, ${N} contacts`);
console.log(line(COLUMNS.map(([, h]) => h)));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const c of cells) console.log(line(c));
