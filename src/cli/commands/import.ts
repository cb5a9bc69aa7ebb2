import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ImportKind } from '../../platform/db/schema.ts';
import { cliActor } from '../../features/audit/index.ts';
import {
  exportImportRefusals,
  getImportJob,
  importCsv,
  IMPORT_KINDS,
  parseMappingText,
  parseMapOptions,
  type ImportProgress,
  type ImportSummary,
} from '../../features/imports/index.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';

interface ImportOptions {
  map: string[];
  mapping?: string;
  encoding?: string;
  delimiter?: string;
  dryRun?: boolean;
  errors?: string;
  resume?: string;
  batchRows: string;
  workspace?: string;
  json?: boolean;
}

/** `keel import KIND FILE`: a CSV file into contacts, accounts, opportunities or events. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .argument('[kind]', `what the file holds: ${IMPORT_KINDS.join(', ')}`)
    .argument('[file]', 'the CSV file')
    .option('--map <column=field>', 'map a column, e.g. "Email Address=email" or "Notes=ignore" (repeatable)', (v: string, all: string[]) => [...all, v], [])
    .option('--mapping <file>', 'a YAML or JSON mapping file: { "Email Address": email }')
    .option('--encoding <name>', 'utf-8, utf-16le, utf-16be or latin1 (default: detected)')
    .option('--delimiter <char>', ', ; tab or | (default: detected)')
    .option('--dry-run', 'show the mapping and the rows that would be refused; write nothing')
    .option('--errors <file>', 'where to write the error report CSV (default: FILE.errors.csv beside the input)')
    .option('--resume <job>', 'go on with an interrupted import from its last committed batch')
    .option('--batch-rows <n>', 'rows per transaction', '1000')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print the summary as JSON')
    .description('Import a CSV file (streamed; upsert by email / domain / external id); refused rows go to an error report')
    .action(async (kindArg: string | undefined, fileArg: string | undefined, opts: ImportOptions) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const resumed = opts.resume ? await getImportJob(ctx.db.kysely, workspaceId, opts.resume) : undefined;
        const kind = (kindArg ?? resumed?.kind) as ImportKind | undefined;
        const file = fileArg ?? resumed?.file_name;
        if (!kind || !IMPORT_KINDS.includes(kind)) throw new Error(`kind must be one of ${IMPORT_KINDS.join(', ')}, got ${JSON.stringify(kindArg ?? '')}`);
        if (!file) throw new Error('Which file? keel import KIND FILE.csv');
        const path = resolve(file);
        const size = statSync(path).size;
        const progress = createProgressReporter(size, process.stderr);
        const summary = await importCsv(ctx.db.kysely, {
          workspaceId,
          kind,
          source: createReadStream(path, { highWaterMark: 256 * 1024 }),
          fileName: path,
          fileSize: size,
          fingerprint: fingerprintOf(path, size),
          encoding: opts.encoding,
          delimiter: opts.delimiter,
          mapping: { ...(opts.mapping ? parseMappingText(readFileSync(opts.mapping, 'utf8'), opts.mapping) : {}), ...parseMapOptions(opts.map) },
          dryRun: opts.dryRun,
          batchRows: parseBatchRows(opts.batchRows),
          resumeJobId: opts.resume,
          actor: cliActor(),
          dbKind: ctx.db.kind,
          onProgress: progress.update,
        });
        progress.finish();
        const errorsPath = summary.refused > 0 && summary.jobId ? resolve(opts.errors ?? defaultErrorsPath(path)) : null;
        if (errorsPath) await writeErrorReport(exportImportRefusals(ctx.db.kysely, workspaceId, summary.jobId!), errorsPath);
        printSummary(summary, errorsPath, opts.json === true);
        if (summary.status === 'failed') process.exitCode = 1;
      });
    });
}

function parseBatchRows(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50_000) throw new Error(`--batch-rows must be an integer from 1 to 50000, got "${value}"`);
  return n;
}

/** Size and the first 64 KiB: enough to tell a different file from the one a job read. */
function fingerprintOf(path: string, size: number): string {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, 64 * 1024));
    readSync(fd, head, 0, head.length, 0);
    return `${size}:${createHash('sha256').update(head).digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

const defaultErrorsPath = (path: string) => join(dirname(path), `${basename(path, extname(path))}.errors.csv`);

async function writeErrorReport(chunks: AsyncIterable<string>, path: string): Promise<void> {
  const out = createWriteStream(path);
  for await (const chunk of chunks) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

/** A bar with rows/s and ETA on a terminal; a plain line a second (and each first commit) otherwise. */
function createProgressReporter(totalBytes: number, out: NodeJS.WriteStream) {
  const started = Date.now();
  let lastPrint = 0;
  let printedCommit = false;
  const tty = out.isTTY === true;
  const render = (p: ImportProgress) => {
    const seconds = (Date.now() - started) / 1000;
    const rate = seconds > 0 ? p.rowsRead / seconds : 0;
    const fraction = totalBytes > 0 ? Math.min(1, p.bytesRead / totalBytes) : 0;
    const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : 0;
    const stats = `${p.rowsRead.toLocaleString('en-US')} rows, ${Math.round(rate).toLocaleString('en-US')} rows/s, committed through row ${p.rowsCommitted.toLocaleString('en-US')}`;
    if (!tty) return `import${p.jobId ? ` ${p.jobId}` : ''}: ${(fraction * 100).toFixed(0)}% of bytes read, ${stats}\n`;
    const width = 30;
    const filled = Math.round(fraction * width);
    return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${stats}, ETA ${formatDuration(eta)}   `;
  };
  return {
    update(p: ImportProgress) {
      const now = Date.now();
      const firstCommit = p.committed && !printedCommit;
      if (!firstCommit && now - lastPrint < (tty ? 200 : 1000)) return;
      printedCommit ||= p.committed;
      lastPrint = now;
      out.write(render(p));
    },
    finish() {
      if (tty && lastPrint > 0) out.write('\n');
    },
  };
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function printSummary(summary: ImportSummary, errorsPath: string | null, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...summary, errorReport: errorsPath }, null, 2)}\n`);
    return;
  }
  const lines = [
    `${summary.status === 'dry_run' ? 'Dry run' : 'Import'} of ${summary.kind}: ${summary.status}${summary.jobId ? ` (job ${summary.jobId})` : ''}`,
    `  file: ${summary.encoding}, delimiter ${JSON.stringify(summary.delimiter)}`,
    '  mapping:',
    ...Object.entries(summary.mapping).map(([column, target]) => `    ${JSON.stringify(column)} -> ${target}`),
    `  rows read: ${summary.rowsRead}`,
  ];
  if (summary.status === 'dry_run') {
    lines.push(`  would be refused: ${summary.refused}`);
    for (const r of summary.refusals ?? []) lines.push(`    row ${r.row} (line ${r.line})${r.column ? ` column ${JSON.stringify(r.column)}` : ''}: ${r.reason}`);
  } else {
    lines.push(`  written (committed through row ${summary.rowsCommitted}): inserted ${summary.inserted}, updated ${summary.updated}, unchanged ${summary.unchanged}`);
    lines.push(`  refused: ${summary.refused}${errorsPath ? ` (report: ${errorsPath})` : ''}`);
  }
  if (summary.error) {
    lines.push(`  STOPPED: ${summary.error}`);
    if (summary.jobId) lines.push(`  Everything through row ${summary.rowsCommitted} is written; after fixing the file, or to retry: keel import --resume ${summary.jobId}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
