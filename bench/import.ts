// `npm run bench:import [-- --rows 1000000 --targets pglite,postgres]`
// Imports a generated contacts CSV (messy real-world columns, 1% bad rows) through
// importCsv, each target in its own child process so that its peak RSS is its own. The
// baseline reads, decodes, parses, maps and validates the same file without writing.
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemActor } from '../src/features/audit/index.ts';
import { importCsv } from '../src/features/imports/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';
import { openCsvInput } from '../src/features/imports/csv-input.ts';
import { resolveMapping } from '../src/features/imports/header-mapping.ts';
import { mapRecord, convertContactRow } from '../src/features/imports/import-rows.ts';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    targets: { type: 'string', default: 'pglite,postgres' },
    phase: { type: 'string' },
    file: { type: 'string' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const ROWS = Number(values.rows);

const FIRST = ['Ada', 'Grace', 'Linus', 'Zoë', 'José', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Frances'];
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Müller', 'García', 'Hamilton', 'Turing', 'Liskov', 'Thompson', 'Allen'];
const TITLES = ['VP Marketing', 'Director, Demand Gen', 'Marketing Ops Manager', 'CTO', 'Head of "Growth"'];

async function generate(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write('Email Address,First Name,Last Name,Company,Job Title,Phone,Country,Lead Source,Notes\n');
  for (let i = 0; i < rows; i += 1) {
    const email = i % 100 === 99 ? `broken-${i}` : `${FIRST[i % 10]!.toLowerCase()}.${i}@company${i % 5000}.example`;
    const notes = i % 7 === 0 ? `"Met at booth, said:\n""call me in Q3"""` : '';
    const line = `${email},${FIRST[i % 10]},${LAST[(i * 7) % 10]},"Company ${i % 5000}, Inc.",${i % 3 === 0 ? `"${TITLES[i % 5]!.replace(/"/g, '""')}"` : ''},+1 555 ${String(i).padStart(7, '0')},US,Webinar,${notes}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function peakRssMb(): number {
  const kb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

/** One phase in this process; prints a JSON line with its figures. */
async function runPhase(phase: string, file: string): Promise<void> {
  const started = performance.now();
  let rows = 0;
  let written = 0;
  if (phase === 'parse') {
    const input = await openCsvInput(createReadStream(file, { highWaterMark: 256 * 1024 }));
    const mapping = resolveMapping('contacts', input.header);
    for await (const record of input.records) {
      const mapped = mapRecord(record, input.header, mapping);
      if (mapped.ok) convertContactRow(mapped.value);
      rows += 1;
    }
  } else {
    const scratch = phase === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench') : undefined;
    // PGlite on disk, as `keel` runs it: in memory, the database itself would count in RSS.
    const dataDir = scratch ? undefined : mkdtempSync(join(import.meta.dirname, '..', 'scratch', 'bench-pglite-'));
    const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir });
    try {
      await migrateToLatest(db);
      const ws = await createWorkspace(db.kysely, 'import bench');
      const summary = await importCsv(db.kysely, { workspaceId: ws.id, kind: 'contacts', source: createReadStream(file, { highWaterMark: 256 * 1024 }), fileName: file, actor: systemActor('bench'), dbKind: db.kind });
      rows = summary.rowsRead;
      written = summary.inserted + summary.updated;
    } finally {
      await db.close();
      await scratch?.drop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ phase, rows, written, seconds, rowsPerSec: rows / seconds, peakRssMb: peakRssMb() }));
}

async function main(): Promise<void> {
  if (values.phase) return runPhase(values.phase, values.file!);
  const dir = join(import.meta.dirname, '..', 'scratch');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-contacts-${ROWS}.csv`);
  if (!existsSync(file)) await generate(file, ROWS);
  const mb = statSync(file).size / 1024 / 1024;
  const phases = ['parse', ...values.targets.split(',').map((t) => t.trim())];
  const results: Array<{ phase: string; rows: number; written: number; seconds: number; rowsPerSec: number; peakRssMb: number }> = [];
  for (const phase of phases) {
    if (!['parse', 'pglite', 'postgres'].includes(phase)) throw new Error(`unknown target "${phase}": use pglite and/or postgres`);
    const child = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'run-ts.js'), import.meta.filename, '--phase', phase, '--file', file, '--postgres-url', values['postgres-url']], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`${phase} failed: ${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').at(-1)!) as (typeof results)[number]);
  }
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const base = results[0]!.rowsPerSec;
  console.log(`contacts CSV: ${n(ROWS)} rows, ${mb.toFixed(0)} MB (1% invalid emails, quoted newlines)`);
  console.log('| run | rows | written | seconds | rows/s | vs parse only | peak RSS (MB) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const label = r.phase === 'parse' ? 'parse + map + validate only (baseline)' : `import into ${r.phase}${r.phase === 'pglite' ? ' (data folder on disk)' : ''}`;
    console.log(`| ${label} | ${n(r.rows)} | ${n(r.written)} | ${r.seconds.toFixed(1)} | ${n(r.rowsPerSec)} | ${(r.rowsPerSec / base).toFixed(3)} | ${n(r.peakRssMb)} |`);
  }
}

await main();
