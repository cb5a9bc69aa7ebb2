// `npm run bench:audiences [-- --contacts 1000000 --events-per-contact 20 --seconds 20 --rate 5000 --idle-runs 200 --incremental-only]`
// On PostgreSQL: bulk-loads contacts/accounts/events shaped like the demo generator's into a
// persistent database (keel_bench_audiences, reused when it already holds that scale),
// then times (1) full compute and recompute of 20 representative segments, each beside
// the same audience hand-written as one SQL query, and (2) the incremental update of
// scores, stages and memberships for one new event, idle and under sustained ingest.
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { analyzeAudienceTables, applySegment, AUDIENCE_MAINTENANCE, eventChange, noteAudienceWrites, compileSegmentQuery, computeScores, computeStages, deriveQueuedAudiences, enqueueAudienceWork, recomputeSegments, saveScoringModel, saveStageRules } from '../src/features/audiences/index.ts';
import { cliActor } from '../src/features/audit/index.ts';
import { createWorkspace, listWorkspaces } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createTableMaintenance } from '../src/platform/db/maintenance.ts';
import { countRows, loadBenchData } from './audiences-data.ts';
import { BENCH_MODEL, BENCH_SEGMENTS, BENCH_STAGES } from './audiences-segments.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '1000000' },
    'events-per-contact': { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    rate: { type: 'string', default: '5000' },
    'idle-runs': { type: 'string', default: '200' },
    // Only the incremental part (on data already loaded and computed by a full run).
    'incremental-only': { type: 'boolean', default: false },
    // Load (or reuse) the data and stop: the 1M/20M load is long and runs on its own.
    'load-only': { type: 'boolean', default: false },
    database: { type: 'string', default: 'keel_bench_audiences' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const scale = { contacts: Number(values.contacts), eventsPerContact: Number(values['events-per-contact']) };
const ANCHOR = new Date('2026-06-01T00:00:00Z');
const log = (s: string) => process.stderr.write(`bench:audiences: ${s}\n`);
const ms = (v: number) => v.toFixed(v < 10 ? 2 : 0);

async function openBenchDatabase(): Promise<Db> {
  const admin = await openDatabase({ kind: 'postgres', url: values['postgres-url'] });
  const name = values.database;
  const exists = await sql`select 1 from pg_database where datname = ${name}`.execute(admin.kysely);
  if (exists.rows.length === 0) await sql`create database ${sql.id(name)}`.execute(admin.kysely);
  await admin.close();
  const url = new URL(values['postgres-url']);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 6 });
  await migrateToLatest(db);
  return db;
}

async function prepareWorkspace(db: Db): Promise<{ ws: string; reused: boolean }> {
  const name = `audiences bench ${scale.contacts}x${scale.eventsPerContact}`;
  const existing = (await listWorkspaces(db.kysely)).find((w) => w.name === name);
  if (existing) {
    const rows = await countRows(db.kysely, existing.id);
    // The incremental runs add their live events: more events than loaded is still the scale.
    if (rows.contacts === scale.contacts && rows.events >= scale.contacts * scale.eventsPerContact) return { ws: existing.id, reused: true };
    await sql`delete from workspaces where id = ${existing.id}::uuid`.execute(db.kysely);
  }
  const ws = (await createWorkspace(db.kysely, name)).id;
  const started = performance.now();
  await loadBenchData(db.kysely, ws, scale, ANCHOR, log);
  log(`loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return { ws, reused: false };
}

async function vacuumDerivedTables(db: Db): Promise<void> {
  const started = performance.now();
  for (const table of [...Object.keys(AUDIENCE_MAINTENANCE.tables), 'account_scores', 'contacts']) await sql`vacuum analyze ${sql.table(table)}`.execute(db.kysely);
  log(`vacuumed the derived tables in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}

async function bestOf(n: number, fn: () => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, (await timed(fn))[1]);
  return best;
}

async function benchSegments(db: Db, ws: string) {
  const k = db.kysely;
  await sql`delete from segments where workspace_id = ${ws}::uuid`.execute(k);
  await sql`delete from scoring_models where workspace_id = ${ws}::uuid`.execute(k);
  await sql`delete from stage_rules where workspace_id = ${ws}::uuid`.execute(k);
  await sql`delete from contact_stages where workspace_id = ${ws}::uuid`.execute(k);
  // The dead rows of the reset (and of earlier runs), gone as autovacuum or Keel's own
  // upkeep would make them go (this server runs without autovacuum).
  await vacuumDerivedTables(db);
  await saveScoringModel(k, ws, BENCH_MODEL, cliActor());
  await saveStageRules(k, ws, BENCH_STAGES, cliActor());
  const [, scoreMs] = await timed(() => computeScores(k, ws, { now: ANCHOR }));
  log(`scores ${ms(scoreMs)} ms`);
  const [, stageMs] = await timed(() => computeStages(k, ws, { now: ANCHOR }));
  // What recomputeAudiences does after rewriting scores and stages (the incremental runs'
  // plans read these statistics too).
  await analyzeAudienceTables(k);
  for (const table of ['contact_score_parts', 'account_scores']) await sql`analyze ${sql.table(table)}`.execute(k);
  const rows: string[] = [];
  let firstTotal = 0;
  for (const { definition, baseline } of BENCH_SEGMENTS) {
    const [applied, firstMs] = await timed(() => applySegment(k, ws, definition, cliActor(), ANCHOR));
    firstTotal += firstMs;
    const compiled = await compileSegmentQuery(k, ws, definition, ANCHOR);
    // Both queries with the memory Keel gives a full recompute (allowLargeHashes).
    const count = (query: ReturnType<typeof sql>) =>
      k.transaction().execute(async (trx) => {
        await sql`set local work_mem = '64MB'`.execute(trx);
        return (await sql<{ n: string }>`select count(*) as n from (${query}) t`.execute(trx)).rows[0]!.n;
      });
    const keelMs = await bestOf(2, () => count(compiled));
    const baseCount = await count(baseline(ws, ANCHOR));
    const baseMs = await bestOf(2, () => count(baseline(ws, ANCHOR)));
    const [, recomputeMs] = await timed(() => recomputeSegments(k, ws, { now: ANCHOR, only: new Set([String(definition.name)]) }));
    const members = applied.change.entered;
    if (Number(baseCount) !== members) throw new Error(`${String(definition.name)}: Keel has ${members} members, the hand-written query ${baseCount}`);
    log(`${String(definition.name)}: first ${ms(firstMs)} keel ${ms(keelMs)} base ${ms(baseMs)} recompute ${ms(recomputeMs)}`);
    rows.push(`| ${String(definition.name)} | ${members.toLocaleString('en-US')} | ${ms(firstMs)} | ${ms(recomputeMs)} | ${ms(keelMs)} | ${ms(baseMs)} | ${(keelMs / baseMs).toFixed(2)} |`);
  }
  const [, fullMs] = await timed(() => recomputeSegments(k, ws, { now: ANCHOR }));
  await sql`analyze segment_members`.execute(k);
  return { rows, scoreMs, stageMs, firstTotal, fullMs };
}

// The incremental runs' clock: the loaded data's time (ANCHOR) moving on in real time, so
// that windows (lookback, within_last_days) hold the generator's events as they would live.
const benchStart = Date.now();
const benchNow = () => new Date(ANCHOR.getTime() + (Date.now() - benchStart));

// What the ingest path does for a track event: the event stored, the contact's last seen
// time moved, and the contact queued with what changed (so the pass evaluates only the
// rules reading webinar events, last_seen_at, and what derives from them).
const LIVE_CHANGES = [eventChange('Webinar Attended'), 'field:first_seen_at', 'field:last_seen_at'];

async function insertEvents(db: Db, ws: string, count: number, seq: { n: number }): Promise<{ contacts: string[]; at: number }> {
  const contacts = Array.from({ length: count }, () => `c${1 + Math.floor(Math.random() * scale.contacts)}`);
  const ids = await db.kysely.transaction().execute(async (trx) => {
    const result = await sql<{ contact_id: string }>`with stored as (
        insert into events (workspace_id, message_id, type, name, contact_id, properties, "timestamp", received_at)
        select ${ws}::uuid, 'live-' || ${`${process.pid}-${seq.n++}-`}::text || i, 'track', 'Webinar Attended', md5(c)::uuid, '{"duration_minutes": 45}'::jsonb, ${benchNow().toISOString()}::timestamptz, now()
        from unnest(${contacts}::text[]) with ordinality as t(c, i) returning contact_id, "timestamp"
      ), seen as (
        update contacts c set last_seen_at = greatest(c.last_seen_at, s.at) from (select contact_id, max("timestamp") as at from stored group by 1) s
        where c.workspace_id = ${ws}::uuid and c.id = s.contact_id
      )
      select distinct contact_id from stored`.execute(trx);
    const touched = result.rows.map((r) => r.contact_id);
    await enqueueAudienceWork(trx, ws, { contactChanges: new Map(touched.map((id) => [id, LIVE_CHANGES])) });
    return touched;
  });
  return { contacts: ids, at: performance.now() };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;

async function benchIncremental(db: Db, ws: string) {
  await sql`delete from audience_queue where workspace_id = ${ws}::uuid`.execute(db.kysely);
  // The upkeep of the queue and the derived tables as the audience worker does it (this
  // server runs without autovacuum), starting clean.
  await vacuumDerivedTables(db);
  const maintenance = await createTableMaintenance(db.kysely, 'postgres', AUDIENCE_MAINTENANCE);
  const seq = { n: Date.now() };
  const idle: number[] = [];
  const passes: number[] = [];
  const steps: Record<string, number[]> = {};
  for (let i = 0; i < Number(values['idle-runs']); i++) {
    const started = performance.now();
    await insertEvents(db, ws, 1, seq);
    const inserted = performance.now();
    const outcome = await deriveQueuedAudiences(db.kysely, ws, { now: benchNow() });
    idle.push(performance.now() - started);
    passes.push(performance.now() - inserted);
    if (outcome) await noteAudienceWrites(maintenance, outcome);
    for (const [step, t] of Object.entries(outcome?.timings ?? {})) (steps[step] ??= []).push(t);
  }
  const stepMedians = Object.entries(steps).map(([step, t]) => `${step} ${ms(percentile(t.sort((a, b) => a - b), 0.5))}`);
  log(`idle pass, median ms per step: ${stepMedians.join(', ')}`);
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const pending = new Map<string, number>();
  const latencies: number[] = [];
  let sent = 0;
  let loadPasses = 0;
  const passLog: string[] = [];
  const loadSteps: Record<string, number> = {};
  let writerSeconds = 0;
  let running = true;
  const started = performance.now();
  const writer = (async () => {
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const end = performance.now() + seconds * 1000;
    let next = performance.now();
    while (performance.now() < end) {
      const { contacts, at } = await insertEvents(db, ws, perTick, seq);
      for (const c of contacts) if (!pending.has(c)) pending.set(c, at);
      sent += perTick;
      next += tickMs;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    writerSeconds = (performance.now() - started) / 1000;
    running = false;
  })();
  const deriver = (async () => {
    while (running || pending.size > 0) {
      const outcome = await deriveQueuedAudiences(db.kysely, ws, { limit: 5000, now: benchNow() });
      const done = performance.now();
      if (!outcome) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      loadPasses++;
      await noteAudienceWrites(maintenance, outcome);
      passLog.push(`${outcome.contacts}:${Object.values(outcome.timings).reduce((a, b) => a + b, 0).toFixed(0)}`);
      for (const [step, t] of Object.entries(outcome.timings)) loadSteps[step] = (loadSteps[step] ?? 0) + t;
      for (const c of outcome.touchedContacts) {
        const at = pending.get(c);
        if (at !== undefined) latencies.push(done - at);
        pending.delete(c);
      }
    }
  })();
  await Promise.all([writer, deriver]);
  log(`under ingest, contacts:ms per pass: ${passLog.join(' ')}; ms per step over all passes: ${Object.entries(loadSteps).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  idle.sort((a, b) => a - b);
  passes.sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  return {
    idle: { median: percentile(idle, 0.5), p99: percentile(idle, 0.99), n: idle.length },
    pass: { median: percentile(passes, 0.5), p99: percentile(passes, 0.99) },
    load: { rate: sent / writerSeconds, median: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), n: latencies.length, passes: loadPasses },
  };
}

const db = await openBenchDatabase();
try {
  const { ws, reused } = await prepareWorkspace(db);
  const rows = await countRows(db.kysely, ws);
  log(`${reused ? 'reused' : 'loaded'} ${rows.contacts.toLocaleString('en-US')} contacts, ${rows.events.toLocaleString('en-US')} events`);
  if (!values['load-only']) await runBench(db, ws, rows, reused);
} finally {
  await db.close();
}

async function runBench(db: Db, ws: string, rows: { contacts: number; events: number }, reused: boolean) {
  console.log(`Audiences on PostgreSQL: ${rows.contacts.toLocaleString('en-US')} contacts, ${rows.events.toLocaleString('en-US')} events (${reused ? 'reused bench database' : 'freshly loaded'})\n`);
  if (!values['incremental-only']) await printSegments(db, ws);
  const inc = await benchIncremental(db, ws);
  console.log('\n| incremental update (scores -> stages -> 20 segments) for one new event | median, ms | p99, ms |');
  console.log('| --- | ---: | ---: |');
  console.log(`| idle, the derivation pass alone (${inc.idle.n} events one at a time) | ${ms(inc.pass.median)} | ${ms(inc.pass.p99)} |`);
  console.log(`| idle, event insert (its own transaction) + derivation | ${ms(inc.idle.median)} | ${ms(inc.idle.p99)} |`);
  console.log(`| under ingest at ${Math.round(inc.load.rate).toLocaleString('en-US')} events/s (${inc.load.n.toLocaleString('en-US')} contacts, ${inc.load.passes} passes of up to 5,000), commit to membership | ${ms(inc.load.median)} | ${ms(inc.load.p99)} |`);
}

async function printSegments(db: Db, ws: string) {
  const segments = await benchSegments(db, ws);
  console.log('| segment | members | Keel first compute, ms (members written) | Keel recompute, ms | Keel compiled query, ms | hand-written SQL, ms | ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of segments.rows) console.log(row);
  console.log(`\nfull recompute of the 20 segments: ${(segments.fullMs / 1000).toFixed(1)} s (first compute of all: ${(segments.firstTotal / 1000).toFixed(1)} s); scores of 1 model: ${(segments.scoreMs / 1000).toFixed(1)} s; stages: ${(segments.stageMs / 1000).toFixed(1)} s`);
}
