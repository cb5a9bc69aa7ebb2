// Workspace attribution over the demo's own touchpoints (issue 7's "1M-contact demo scale
// in under 30 s" target, measured at a smaller scale): seeds the demo into an in-memory
// PGlite, then times one pass that only reads the touch events contact by contact (the
// baseline), and attributeWorkspace for the last quarter and for the demo's 180 days.
//   npm run bench:attribution-workspace -- --scale 0.2 --models linear,w-shaped,markov,shapley
//   [--database-url postgres://postgres@127.0.0.1:5432/keel_bench_attribution]  (a PostgreSQL
//   database of its own, created if missing and emptied first; default: in-memory PGlite)
import { parseArgs } from 'node:util';
import pg from 'pg';
import { attributeWorkspace, parseModelName, quarterStart, TOUCH_EVENTS } from '../src/features/attribution/index.ts';
import { seedDemoWorkspace } from '../src/features/demo/index.ts';
import { streamTouchEventsByContact } from '../src/features/events/index.ts';
import { openDatabase } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '0.2' }, models: { type: 'string', default: 'linear,w-shaped,markov,shapley' }, 'database-url': { type: 'string' } } });
const scale = Number(values.scale);
const models = values.models.split(',').map(parseModelName);
const ANCHOR = new Date('2026-05-20T12:00:00.000Z');

function measure<T>(label: string, run: () => Promise<T>): Promise<T> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  return run().then((result) => {
    const used = process.cpuUsage(cpu);
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(`${label.padEnd(42)} wall ${((performance.now() - started) / 1000).toFixed(2)} s  cpu ${((used.user + used.system) / 1e6).toFixed(2)} s  rss ${rss.toFixed(0)} MB`);
    return result;
  });
}

async function main(): Promise<void> {
  const url = values['database-url'];
  if (url) await recreateDatabase(url);
  const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: undefined });
  console.log(`database: ${url ? 'PostgreSQL' : 'PGlite (in memory)'}; node ${process.version}`);
  await migrateToLatest(db);
  const seeded = await measure(`seed demo scale ${scale}`, () => seedDemoWorkspace(db.kysely, { seed: 3, scale, anchor: ANCHOR }));
  console.log(`demo: ${seeded.events} events, ${seeded.accounts} accounts, ${seeded.opportunities} opportunities`);
  const ranges = { 'last quarter': { from: quarterStart(ANCHOR, 1), to: quarterStart(ANCHOR, 0) }, '180 days': { from: new Date(ANCHOR.getTime() - 180 * 86_400_000), to: ANCHOR } };
  for (const [name, range] of Object.entries(ranges)) {
    let contacts = 0;
    let events = 0;
    await measure(`read touch events only (${name})`, async () => {
      for await (const c of streamTouchEventsByContact(db.kysely, seeded.workspaceId, { from: new Date(range.from.getTime() - 90 * 86_400_000), to: range.to, names: [...Object.keys(TOUCH_EVENTS), 'Demo Requested', 'Trial Started'] })) {
        contacts++;
        events += c.events.length;
      }
    });
    console.log(`  ${contacts} contacts, ${events} events read`);
    for (const model of models) {
      const report = await measure(`attribute ${model} (${name})`, () => attributeWorkspace(db.kysely, seeded.workspaceId, { model, ...range, options: model === 'markov' ? { order: 1 } : {} }));
      console.log(`  ${report.touchpoints} touchpoints, journeys ${JSON.stringify(report.journeys)}`);
    }
  }
  await db.close();
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
