// `npm run bench [-- --events 200000 --clients 8,32 --targets pglite,postgres]`
// Ingest through /v1/batch (100-event batches, concurrent clients, a real server process)
// beside the raw COPY rate of the same rows into the same table, in the same run.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { demoEventBatches } from '../src/features/demo/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';
import { runKeel, startKeel } from '../src/testing/keel-process.ts';
import { eventsToCsvChunks, measureCopy } from './copy-baseline.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    clients: { type: 'string', default: '8,32' },
    targets: { type: 'string', default: 'pglite,postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? process.env.KEEL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const EVENTS = Number(values.events);
const CLIENT_COUNTS = values.clients.split(',').map(Number);
if (CLIENT_COUNTS.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--clients must be positive integers, got "${values.clients}"`);

interface Row {
  target: string;
  events: number;
  clients: number;
  ackPerSec: number;
  processedPerSec: number;
  drainPerSec: number | null;
  copyPerSec: number;
  peakRssMb: number;
}

async function postgresTarget(serverUrl: string) {
  const scratch = await createScratchDatabase(serverUrl, 'keel_bench');
  return {
    env: { KEEL_DATABASE_URL: scratch.url } as NodeJS.ProcessEnv,
    open: () => openDatabase({ kind: 'postgres', url: scratch.url }),
    drop: scratch.drop,
  };
}

function pgliteTarget() {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-'));
  const dataDir = join(dir, 'data');
  return {
    env: { KEEL_DATA_DIR: dataDir, KEEL_DATABASE_URL: '' } as NodeJS.ProcessEnv,
    open: () => openDatabase({ kind: 'pglite', dataDir }),
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function copyBaseline(open: () => Promise<Db>, batches: unknown[][]): Promise<number> {
  const db = await open();
  try {
    await migrateToLatest(db);
    const ws = await createWorkspace(db.kysely, 'copy baseline');
    const { chunks, rows } = eventsToCsvChunks(ws.id, batches);
    return await measureCopy(db, chunks, rows);
  } finally {
    await db.close();
  }
}

async function ingestRun(env: NodeJS.ProcessEnv, bodies: string[], clients: number) {
  const ws = JSON.parse(runKeel(['workspace', 'create', `bench ${clients}`, '--json'], env)) as { writeKey: string; adminKey: string };
  const server = await startKeel(env);
  try {
    const auth = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;
    let next = 0;
    const started = performance.now();
    const client = async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const res = await fetch(`${server.base}/v1/batch`, { method: 'POST', body, headers: { authorization: auth, 'content-type': 'application/json' } });
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: clients }, client));
    const ackSeconds = (performance.now() - started) / 1000;
    let pendingAtAck: number | undefined;
    for (;;) {
      // The status route reads the inbox only; polling /stats would count every event and
      // compete with the worker it is waiting for.
      const res = await fetch(`${server.base}/api/v1/ingest/status`, { headers: { authorization: `Bearer ${ws.adminKey}` } });
      const stats = (await res.json()) as { pending_events: number };
      pendingAtAck ??= stats.pending_events;
      if (stats.pending_events === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const processedSeconds = (performance.now() - started) / 1000;
    // With a backlog under 1,000 events there is too little left to time a drain rate.
    const drainPerSec = (pendingAtAck ?? 0) < 1_000 ? null : pendingAtAck! / Math.max(0.001, processedSeconds - ackSeconds);
    return { ackSeconds, processedSeconds, drainPerSec, peakRssMb: server.peakRssMb() };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  console.error(`Generating ${EVENTS} demo events in 100-event batches...`);
  const batches = [...demoEventBatches({ seed: 42, maxEvents: EVENTS, batchSize: 100 })];
  const total = batches.reduce((n, b) => n + b.length, 0);
  const bodies = batches.map((batch) => JSON.stringify({ batch, sentAt: new Date().toISOString() }));
  const rows: Row[] = [];
  for (const name of values.targets.split(',').map((t) => t.trim())) {
    if (name !== 'pglite' && name !== 'postgres') throw new Error(`unknown target "${name}": use pglite and/or postgres`);
    const target = name === 'postgres' ? await postgresTarget(values['postgres-url']) : pgliteTarget();
    try {
      console.error(`[${name}] COPY baseline...`);
      const copyPerSec = await copyBaseline(target.open, batches);
      for (const clients of CLIENT_COUNTS) {
        // Each run gets its own workspace, so no event is a duplicate of an earlier run's.
        console.error(`[${name}] ingest through /v1/batch with ${clients} clients...`);
        const run = await ingestRun(target.env, bodies, clients);
        rows.push({
          target: name,
          events: total,
          clients,
          ackPerSec: total / run.ackSeconds,
          processedPerSec: total / run.processedSeconds,
          drainPerSec: run.drainPerSec,
          copyPerSec,
          peakRssMb: run.peakRssMb,
        });
      }
    } finally {
      await target.drop();
    }
  }
  printTable(rows);
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  const json = JSON.stringify({ date: new Date().toISOString(), node: process.version, rows }, null, 2);
  writeFileSync(join(import.meta.dirname, 'results', 'latest.json'), json);
  console.error('JSON written to bench/results/latest.json');
}

function printTable(rows: Row[]): void {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const pct = (v: number) => `${(v * 100).toFixed(0)}%`;
  console.log('| target | events | clients | ingest acked (events/s) | ingest processed (events/s) | backlog drain (events/s) | COPY into events (rows/s) | acked / COPY | processed / COPY | server peak RSS (MB) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.target} | ${n(r.events)} | ${r.clients} | ${n(r.ackPerSec)} | ${n(r.processedPerSec)} | ${r.drainPerSec === null ? '—' : n(r.drainPerSec)} | ${n(r.copyPerSec)} | ${pct(r.ackPerSec / r.copyPerSec)} | ${pct(r.processedPerSec / r.copyPerSec)} | ${n(r.peakRssMb)} |`,
    );
  }
}

await main();
