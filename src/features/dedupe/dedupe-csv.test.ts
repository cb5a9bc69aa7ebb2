import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKeel } from '../../testing/keel-process.ts';
import { dedupeCsvFile, mapCsvFields } from './dedupe-csv.ts';
import { dedupeSettingsJsonSchema } from './dedupe-settings.ts';
import { generateMarketingContacts } from './marketing-data-generator.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-dedupe-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cell = (v: string | null | undefined) => `"${(v ?? '').replace(/"/g, '""')}"`;

function writePeopleCsv(name: string): { path: string; truth: Set<string> } {
  const people = generateMarketingContacts({ people: 300, seed: 21 });
  const lines = ['\uFEFFContact ID,First Name,Last Name,Email Address,Phone,Company,Notes'];
  for (const p of people) lines.push([p.id, p.values.first_name, p.values.last_name, p.values.email, p.values.phone, p.values.company, 'line one\nline "two"'].map(cell).join(','));
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
  const byEntity = new Map<string, string[]>();
  for (const p of people) byEntity.set(p.entity, [...(byEntity.get(p.entity) ?? []), p.id]);
  const truth = new Set<string>();
  for (const ids of byEntity.values()) for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) truth.add([ids[i], ids[j]].sort().join('|'));
  return { path, truth };
}

describe('keel dedupe FILE.csv', () => {
  it('maps columns by header, handles BOM and quoted newlines, and writes id_a,id_b,score', async () => {
    const { path, truth } = writePeopleCsv('people.csv');
    const out = join(dir, 'pairs.csv');
    const result = await dedupeCsvFile({ input: path, idColumn: 'Contact ID', out });
    expect(result.fields.map((f) => `${f.name}=${f.kind}`)).toEqual(['First Name=given_name', 'Last Name=family_name', 'Email Address=email', 'Phone=phone', 'Company=company']);
    const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('id_a,id_b,score');
    expect(rows.length).toBe(result.pairsWritten);
    const found = rows.map((r) => r.split(','));
    for (const [, , score] of found) expect(Number(score)).toBeGreaterThanOrEqual(0.5);
    const tp = found.filter(([a, b]) => truth.has([a, b].sort().join('|'))).length;
    expect(tp / found.length).toBeGreaterThan(0.9);
    expect(tp / truth.size).toBeGreaterThan(0.9);
  });

  it('refuses a missing id column, duplicate ids, bad --fields and a broken file, naming what is wrong', async () => {
    const { path } = writePeopleCsv('p2.csv');
    const out = join(dir, 'x.csv');
    await expect(dedupeCsvFile({ input: path, idColumn: 'id', out })).rejects.toThrow(/--id-column "id" is not in the CSV header \(Contact ID, First Name/);
    const dup = join(dir, 'dup.csv');
    writeFileSync(dup, 'id,name\n1,Ann\n2,Bob\n1,Cy\n');
    await expect(dedupeCsvFile({ input: dup, idColumn: 'id', out })).rejects.toThrow(/Row 4: id "1" in column "id" appears twice/);
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'id,name\n1,"Ann\n');
    await expect(dedupeCsvFile({ input: broken, idColumn: 'id', out })).rejects.toThrow(/could not be parsed/);
    expect(() => mapCsvFields(['id', 'Nom'], 'id', 'Nom=nickname')).toThrow(/kind "nickname" of column "Nom"/);
    expect(() => mapCsvFields(['id', 'Nom'], 'id', undefined)).toThrow(/No column to compare/);
    await expect(dedupeCsvFile({ input: join(dir, 'none.csv'), idColumn: 'id', out })).rejects.toThrow(/not found/);
  });

  it('runs from the CLI', () => {
    const { path } = writePeopleCsv('cli.csv');
    const out = join(dir, 'cli-pairs.csv');
    const text = runKeel(['dedupe', path, '--id-column', 'Contact ID', '--out', out, '--fields', 'First Name=given_name,Last Name=family_name,Email Address=email'], {});
    expect(text).toMatch(/compared First Name \(given_name\), Last Name \(family_name\), Email Address \(email\)/);
    expect(readFileSync(out, 'utf8')).toMatch(/^id_a,id_b,score\n/);
  });

  it('keeps schemas/dedupe-settings.schema.json in step with the settings schema', () => {
    const file = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'schemas', 'dedupe-settings.schema.json'), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(dedupeSettingsJsonSchema())));
  });
});
