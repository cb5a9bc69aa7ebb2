import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runKeel } from '../../testing/keel-process.ts';
import { parsePathTableCsv, readPathTableCsv } from './path-table-csv.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-attr-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'path,total_conversions,total_conversion_value,total_null';

describe('reading a ChannelAttribution path table', () => {
  it('reads paths, numbers, quoted fields, BOM, CRLF and any column order', () => {
    const table = parsePathTableCsv(`\uFEFFtotal_null,path,total_conversions,total_conversion_value\r\n1,"Email, weekly > direct",2,10.5\r\n0,"say ""hi"" > a",1,3\r\n`);
    expect(table.channels).toEqual(['Email, weekly', 'direct', 'say "hi"', 'a']);
    expect(Array.from(table.touches)).toEqual([0, 1, 2, 3]);
    expect(Array.from(table.conversions)).toEqual([2, 1]);
    expect(Array.from(table.values)).toEqual([10.5, 3]);
    expect(Array.from(table.nulls)).toEqual([1, 0]);
  });

  it('streams a file larger than one read chunk, and accepts a quoted field across lines', async () => {
    const rows = Array.from({ length: 60_000 }, (_, i) => `c${i % 7} > c${i % 11} > c${i % 3},${i % 2},${i},1`);
    const file = join(dir, 'big.csv');
    writeFileSync(file, [HEADER, ...rows, '"multi', 'line > x",1,1,0'].join('\n'));
    const table = await readPathTableCsv(file);
    expect(table.pathCount).toBe(60_001);
    expect(table.channels).toContain('multi\nline');
    expect(table.conversions.reduce((a, b) => a + b, 0)).toBe(30_001);
  });

  it.each([
    ['path,total_conversions,total_null,extra\nA,1,0,x', /header: unknown column "extra"/],
    ['path,total_null\nA,1', /header: missing column "total_conversions"/],
    [`${HEADER}\nA > B,1,0,0\nA > B,one,0,0`, /line 3, column total_conversions: expected a non-negative number, got "one"/],
    [`${HEADER}\nA,1,-5,0`, /line 2, column total_conversion_value: expected a non-negative number, got "-5"/],
    [`${HEADER}\nA >  > B,1,0,0`, /line 2, column path: empty channel in "A > {2}> B"/],
    [`${HEADER}\nA,1,0`, /line 2: expected 4 fields, got 3/],
    [`${HEADER}\n"A > B,1,0,0`, /line 2: a quoted field is not closed/],
    ['', /is empty: expected a header row/],
  ])('refuses bad input with the line and column: %s', (csv, message) => {
    expect(() => parsePathTableCsv(csv)).toThrow(message);
  });

  it('says which file is missing', async () => {
    await expect(readPathTableCsv(join(dir, 'nope.csv'))).rejects.toThrow(/path table file not found: .*nope\.csv/);
  });
});

describe('keel attribution FILE.csv', () => {
  it('reproduces the classic Markov example as credits CSV written to --out', () => {
    const file = join(dir, 'classic.csv');
    writeFileSync(file, [HEADER, 'C1 > C2 > C3,1,100,0', 'C1,0,0,1', 'C2 > C3,0,0,1'].join('\n'));
    const out = join(dir, 'credits.csv');
    runKeel(['attribution', file, '--model', 'markov', '--out', out], {});
    expect(readFileSync(out, 'utf8')).toBe('channel,conversions,value,removal_effect\nC1,0.2,20,0.5\nC2,0.4,40,1\nC3,0.4,40,1\n');
  });

  it('fails with a clear message for an unknown model', () => {
    expect(() => runKeel(['attribution', join(dir, 'classic.csv'), '--model', 'u-shape'], {})).toThrow(/model must be one of first-touch, .*shapley; got "u-shape"/);
  });
});
