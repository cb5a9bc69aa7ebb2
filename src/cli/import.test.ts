import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildDatabaseEnv, testDatabaseLabel } from '../platform/db/test-database.ts';
import { runKeel } from '../testing/keel-process.ts';

const KEEL = join(import.meta.dirname, '..', '..', 'bin', 'keel.js');
let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-import-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
  runKeel(['workspace', 'create', 'Imports', '--json'], database.env);
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);
/** `keel export contacts --out FILE`, read back. */
function exportContacts(): string {
  const out = join(dir, 'export.csv');
  keel('export', 'contacts', '--out', out);
  return readFileSync(out, 'utf8');
}
const countExported = () => exportContacts().split('\r\n').filter(Boolean).length - 1;

interface Summary {
  jobId: string;
  status: string;
  rowsRead: number;
  rowsCommitted: number;
  inserted: number;
  updated: number;
  unchanged: number;
  refused: number;
  errorReport: string | null;
}

/** Starts an import, waits for its first committed batch, then kills it with SIGKILL. */
function importAndKill(file: string): Promise<{ jobId: string; committed: number }> {
  const child = spawn(process.execPath, [KEEL, 'import', 'contacts', file, '--batch-rows', '100'], {
    env: { ...process.env, ...database.env, KEEL_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`no committed batch seen: ${output}`))), 60_000);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /import ([0-9a-f-]{36}): .*committed through row ([\d,]+)/.exec(output);
      if (match && Number(match[2]!.replace(/,/g, '')) > 0) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        child.once('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve({ jobId: match[1]!, committed: Number(match[2]!.replace(/,/g, '')) }) : reject(new Error(`exited before the kill: ${output}`))));
      }
    });
    child.once('exit', (code) => {
      if (code !== null) reject(new Error(`import finished (${code}) before it could be killed: ${output}`));
    });
  });
}

describe(`keel import / export (${testDatabaseLabel})`, () => {
  it('resumes an import killed mid-file from its last committed batch, to exact counts', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => (i % 500 === 499 ? `bad-${i},Bad` : `crash${i}@example.com,Person ${i}`));
    const file = join(dir, 'crash.csv');
    writeFileSync(file, `Email,Name\n${rows.join('\n')}\n`);
    const killed = await importAndKill(file);
    expect(killed.committed).toBeGreaterThanOrEqual(100);
    const before = countExported();
    // Nothing half-written: what is stored is whole batches of the file's rows.
    expect(before).toBeGreaterThanOrEqual(killed.committed - Math.floor(killed.committed / 500));
    expect(before).toBeLessThan(2_994);
    const summary = JSON.parse(keel('import', '--resume', killed.jobId, '--json')) as Summary;
    expect(summary).toMatchObject({ jobId: killed.jobId, status: 'completed', rowsRead: 3_000, rowsCommitted: 3_000, inserted: 2_994, updated: 0, unchanged: 0, refused: 6 });
    expect(countExported()).toBe(2_994);
    // The error report covers the rows refused before and after the crash, once each.
    const report = readFileSync(summary.errorReport!, 'utf8').split('\r\n').filter(Boolean);
    expect(summary.errorReport).toBe(join(dir, 'crash.errors.csv'));
    expect(report).toHaveLength(7);
    expect(report[1]).toBe('500,501,Email,bad-499,"email ""bad-499"" is not an email address"');
    expect(() => keel('import', '--resume', killed.jobId)).toThrow(/already completed; nothing to resume/);
  }, 120_000);

  it('shows the mapping in a dry run, takes --map and a mapping file, and writes the report where --errors says', () => {
    const file = join(dir, 'people.csv');
    writeFileSync(file, 'E-Mail-Adresse;Vorname;Firma;Bemerkung\nanna@example.de;Anna;Muster GmbH;VIP\nkaputt;Kai;X;\n');
    const dry = keel('import', 'contacts', file, '--dry-run', '--map', 'E-Mail-Adresse=email');
    expect(dry).toContain('"E-Mail-Adresse" -> email');
    expect(dry).toContain('"Vorname" -> first_name');
    expect(dry).toContain('"Bemerkung" -> trait.bemerkung');
    expect(dry).toMatch(/would be refused: 1\n\s+row 2 \(line 3\) column "E-Mail-Adresse": email "kaputt" is not an email address/);
    const mappingFile = join(dir, 'mapping.yaml');
    writeFileSync(mappingFile, 'E-Mail-Adresse: email\nBemerkung: ignore\n');
    const errors = join(dir, 'refused.csv');
    const summary = JSON.parse(keel('import', 'contacts', file, '--mapping', mappingFile, '--errors', errors, '--json')) as Summary;
    expect(summary).toMatchObject({ inserted: 1, refused: 1, errorReport: errors });
    expect(readFileSync(errors, 'utf8')).toContain('2,3,E-Mail-Adresse,kaputt,');
    const exported = exportContacts();
    // Traits carry what normalization and enrichment derived on the way in.
    expect(exported).toMatch(/anna@example\.de,,Anna,,,Muster GmbH,,,.*,"\{""company_match_key"":""muster"".*\}"\r\n/);
  }, 120_000);
});
