// Workspace attribution over the demo's own touchpoints (issue 7: "1M-contact demo scale in
// under 30 s"). Seeds the demo (through the real ingest path, which writes the touchpoints
// table with the events), optionally copies the seeded workspace's contacts, accounts,
// links, opportunities, touchpoints and conversion events within the same workspace until
// it has --contacts contacts (each copy is the demo again under new ids), then times, per
// range, one pass that only reads the touchpoints contact by contact (the baseline) and
// attributeWorkspace per model.
//   npm run bench:attribution-workspace -- --scale 0.2 --models linear,w-shaped,markov,shapley
//   [--database-url postgres://postgres@127.0.0.1:5432/keel_bench_attribution]  (a PostgreSQL
//   database of its own, created if missing and emptied first; default: in-memory PGlite)
//   [--reuse]  (PostgreSQL: keep the database if the demo is already there, skip seeding)
//   [--contacts 1000000]  (copy the demo until the workspace has this many contacts)
//   [--ranges 'last quarter,180 days']  (which of the two ranges to time)
//   [--raw-baseline]  (also time reading the raw touch events, the path before migration 0015)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { attributeWorkspace, parseModelName, quarterStart, TOUCH_EVENTS } from '../src/features/attribution/index.ts';
import { DEMO_WORKSPACE_NAME, seedDemoWorkspace } from '../src/features/demo/index.ts';
import { streamTouchEventsByContact, streamTouchpointsByContact } from '../src/features/events/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '0.2' },
    models: { type: 'string', default: 'linear,w-shaped,markov,shapley' },
    'database-url': { type: 'string' },
    reuse: { type: 'boolean', default: false },
    contacts: { type: 'string' },
    'raw-baseline': { type: 'boolean', default: false },
    ranges: { type: 'string', default: 'last quarter,180 days' },
  },
});
const scale = Number(values.scale);
const models = values.models.split(',').map(parseModelName);
const ANCHOR = new Date('2026-05-20T12:00:00.000Z');

function measure<T>(label: string, run: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return run().then((result) => {
    const used = process.cpuUsage(cpu);
    const rss = process.memoryUsage().rss / 2 ** 20;
    const load = readLoad();
    console.log(`${label.padEnd(46)} wall ${((performance.now() - started) / 1000).toFixed(2)} s  cpu ${((used.user + used.system) / 1e6).toFixed(2)} s  rss ${rss.toFixed(0)} MB  load ${load}`);
    return result;
  });
}

function readLoad(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0]!;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const url = values['database-url'];
  const reuse = Boolean(url && values.reuse && (await databaseExists(url)));
  if (url && !reuse) await recreateDatabase(url);
  const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: undefined });
  console.log(`database: ${url ? 'PostgreSQL' : 'PGlite (in memory)'}; node ${process.version}`);
  await migrateToLatest(db);
  let workspaceId = reuse ? (await sql<{ id: string }>`select id from workspaces where name = ${DEMO_WORKSPACE_NAME}`.execute(db.kysely)).rows[0]?.id : undefined;
  if (!workspaceId) {
    const seeded = await measure(`seed demo scale ${scale}`, () => seedDemoWorkspace(db.kysely, { seed: 3, scale, anchor: ANCHOR }));
    console.log(`demo: ${seeded.events} events, ${seeded.accounts} accounts, ${seeded.opportunities} opportunities`);
    workspaceId = seeded.workspaceId;
  }
  if (values.contacts) await measure(`copy the demo up to ${values.contacts} contacts`, () => copyDemo(db, workspaceId!, Number(values.contacts)));
  const counts = await sql<{ contacts: number; accounts: number; opportunities: number; touchpoints: number; events: number }>`
    select (select count(*)::int from contacts where workspace_id = ${workspaceId}::uuid) as contacts,
      (select count(*)::int from accounts where workspace_id = ${workspaceId}::uuid) as accounts,
      (select count(*)::int from opportunities where workspace_id = ${workspaceId}::uuid) as opportunities,
      (select count(*)::int from touchpoints where workspace_id = ${workspaceId}::uuid) as touchpoints,
      (select count(*)::int from events where workspace_id = ${workspaceId}::uuid) as events`.execute(db.kysely);
  console.log(`workspace: ${JSON.stringify(counts.rows[0])}`);
  const ranges = { 'last quarter': { from: quarterStart(ANCHOR, 1), to: quarterStart(ANCHOR, 0) }, '180 days': { from: new Date(ANCHOR.getTime() - 180 * 86_400_000), to: ANCHOR } };
  const wanted = new Set(values.ranges.split(','));
  for (const [name, range] of Object.entries(ranges).filter(([n]) => wanted.has(n))) {
    const lookback = { from: new Date(range.from.getTime() - 90 * 86_400_000), to: range.to };
    if (values['raw-baseline']) {
      let contacts = 0;
      let events = 0;
      await measure(`read raw touch events only (${name})`, async () => {
        for await (const c of streamTouchEventsByContact(db.kysely, workspaceId!, { ...lookback, names: [...Object.keys(TOUCH_EVENTS), 'Demo Requested', 'Trial Started'] })) {
          contacts++;
          events += c.events.length;
        }
      });
      console.log(`  ${contacts} contacts, ${events} events read`);
    }
    let contacts = 0;
    let rows = 0;
    await measure(`read touchpoints table only (${name})`, async () => {
      for await (const c of streamTouchpointsByContact(db.kysely, workspaceId!, lookback)) {
        contacts++;
        rows += c.rows.length;
      }
    });
    console.log(`  ${contacts} contacts, ${rows} touchpoint rows read`);
    for (const model of models) {
      const report = await measure(`attribute ${model} (${name})`, () => attributeWorkspace(db.kysely, workspaceId!, { model, ...range, options: model === 'markov' ? { order: 1 } : {} }));
      console.log(`  ${report.touchpoints} touchpoints, journeys ${JSON.stringify(report.journeys)}, totals ${JSON.stringify(report.totals)}`);
    }
  }
  await db.close();
}

/**
 * Copies of the seeded demo inside the same workspace, under ids derived from (copy, id):
 * contacts, accounts, their links, opportunities, touchpoints and conversion events, until
 * the workspace has `target` contacts. Copy k is the same set of journeys again, so the
 * attribution work grows with the contacts exactly as a demo of k times the size would.
 */
async function copyDemo(db: Db, workspaceId: string, target: number): Promise<void> {
  const ws = sql`${workspaceId}::uuid`;
  const original = (await sql<{ n: number }>`select count(*)::int as n from contacts where workspace_id = ${ws} and (traits->>'bench_copy') is null`.execute(db.kysely)).rows[0]!.n;
  const copies = Math.ceil(target / original) - 1;
  for (let k = 1; k <= copies; k++) {
    const done = (await sql<{ n: number }>`select count(*)::int as n from contacts where workspace_id = ${ws} and traits->>'bench_copy' = ${String(k)}`.execute(db.kysely)).rows[0]!.n;
    if (done > 0) continue;
    const id = (column: string) => sql.raw(`md5('${k}:' || ${column}::text)::uuid`);
    await db.kysely.transaction().execute(async (trx) => {
      await sql`insert into contacts (workspace_id, id, first_name, last_name, title, company, country, traits, created_at, updated_at, first_seen_at, last_seen_at)
        select workspace_id, ${id('id')}, first_name, last_name, title, company, country, jsonb_build_object('bench_copy', ${String(k)}::text), created_at, updated_at, first_seen_at, last_seen_at
        from contacts where workspace_id = ${ws} and (traits->>'bench_copy') is null`.execute(trx);
      await sql`insert into accounts (workspace_id, id, external_id, name, industry, employees, country, traits, created_at, updated_at)
        select workspace_id, ${id('id')}, external_id || '#' || ${String(k)}::text, name, industry, employees, country, jsonb_build_object('bench_copy', ${String(k)}::text), created_at, updated_at
        from accounts where workspace_id = ${ws} and (traits->>'bench_copy') is null`.execute(trx);
      await sql`insert into contact_accounts (workspace_id, contact_id, account_id, created_at)
        select l.workspace_id, ${id('l.contact_id')}, ${id('l.account_id')}, l.created_at
        from contact_accounts l join contacts c on c.workspace_id = l.workspace_id and c.id = l.contact_id
        join accounts a on a.workspace_id = l.workspace_id and a.id = l.account_id
        where l.workspace_id = ${ws} and (c.traits->>'bench_copy') is null and (a.traits->>'bench_copy') is null`.execute(trx);
      await sql`insert into opportunities (workspace_id, id, account_id, external_id, name, amount, currency, stage, is_closed, is_won, created_date, closed_date)
        select o.workspace_id, ${id('o.id')}, ${id('o.account_id')}, o.external_id || '#' || ${String(k)}::text, o.name, o.amount, o.currency, o.stage, o.is_closed, o.is_won, o.created_date, o.closed_date
        from opportunities o join accounts a on a.workspace_id = o.workspace_id and a.id = o.account_id
        where o.workspace_id = ${ws} and (a.traits->>'bench_copy') is null`.execute(trx);
      await sql`insert into touchpoints (workspace_id, message_id, contact_id, occurred_at, kind, visit, source, medium, campaign, content, term)
        select workspace_id, message_id || '#' || ${String(k)}::text, ${id('contact_id')}, occurred_at, kind, visit, source, medium, campaign, content, term
        from touchpoints where workspace_id = ${ws} and message_id not like '%#%' and contact_id is not null`.execute(trx);
      await sql`insert into events (workspace_id, message_id, type, name, contact_id, properties, "timestamp", received_at)
        select workspace_id, message_id || '#' || ${String(k)}::text, type, name, ${id('contact_id')}, properties, "timestamp", received_at
        from events where workspace_id = ${ws} and type = 'track' and name in ('Demo Requested', 'Trial Started') and message_id not like '%#%' and contact_id is not null`.execute(trx);
    });
    if (k % 5 === 0 || k === copies) console.log(`  copy ${k}/${copies} done (load ${readLoad()})`);
  }
  // What autovacuum does to an insert-only table soon after a load (the machine's
  // PostgreSQL runs with autovacuum off): statistics, and the visibility map that lets
  // attribution read touchpoints by index-only scans.
  await sql`vacuum analyze touchpoints`.execute(db.kysely);
  await sql`analyze events`.execute(db.kysely);
}

async function databaseExists(url: string): Promise<boolean> {
  const target = new URL(url);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  const found = await client.query('select 1 from pg_database where datname = $1', [target.pathname.slice(1)]);
  await client.end();
  return found.rowCount === 1;
}

/** Drops and creates the bench's own database (never the one in the URL's admin connection). */
async function recreateDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  if (!/^keel_bench_[a-z0-9_]+$/.test(name)) throw new Error(`--database-url must name a database keel_bench_*, got "${name}"`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.query(`create database ${name}`);
  await client.end();
}

await main();
