import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../platform/errors.ts';
import { openCsvInput, type CsvRecord } from './csv-input.ts';

const dir = mkdtempSync(join(tmpdir(), 'keel-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TEXT = 'Email,First Name,City\r\nzoe@example.com,Zoë,Köln\r\n"renée@example.com","René ""RJ""","São Paulo"\r\n';

/** Writes real bytes to a file and opens it the way the CLI does. */
async function openFile(name: string, bytes: Buffer, options: { encoding?: string; delimiter?: string } = {}) {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const input = await openCsvInput(createReadStream(path, { highWaterMark: 16 }), options);
  const records: CsvRecord[] = [];
  for await (const r of input.records) records.push(r);
  return { input, records };
}

describe('openCsvInput: encodings', () => {
  const cases: Array<[string, Buffer, string]> = [
    ['utf8.csv', Buffer.from(TEXT, 'utf8'), 'utf-8'],
    ['utf8-bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')]), 'utf-8'],
    ['utf16le-bom.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(TEXT, 'utf-16le')]), 'utf-16le'],
    ['utf16be-bom.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(TEXT, 'utf-16be')]), 'utf-16be'],
    ['latin1.csv', iconv.encode(TEXT.replace('São', 'Sao'), 'latin1'), 'windows-1252'],
  ];
  for (const [name, bytes, encoding] of cases) {
    it(`reads ${name} as ${encoding}, header clean of the BOM, accents intact`, async () => {
      const { input, records } = await openFile(name, bytes);
      expect(input.encoding).toBe(encoding);
      expect(input.header).toEqual(['Email', 'First Name', 'City']);
      expect(records.map((r) => r.values)).toEqual([
        ['zoe@example.com', 'Zoë', 'Köln'],
        ['renée@example.com', 'René "RJ"', name === 'latin1.csv' ? 'Sao Paulo' : 'São Paulo'],
      ]);
    });
  }

  it('reads Windows-1252 characters that Latin-1 lacks (€, curly quotes)', async () => {
    const { input, records } = await openFile('cp1252.csv', iconv.encode('name,price\n\u201cSmart\u201d Plan,10 \u20ac\n', 'windows-1252'));
    expect(input.encoding).toBe('windows-1252');
    expect(records[0]!.values).toEqual(['\u201cSmart\u201d Plan', '10 \u20ac']);
  });

  it('takes --encoding over detection, and refuses an unknown one naming it', async () => {
    const { records } = await openFile('forced.csv', iconv.encode('a,b\nç,é\n', 'latin1'), { encoding: 'latin1' });
    expect(records[0]!.values).toEqual(['ç', 'é']);
    await expect(openFile('bad-enc.csv', Buffer.from('a\n1\n'), { encoding: 'ebcdic' })).rejects.toThrow(/encoding must be one of .*"ebcdic"/);
  });
});

describe('openCsvInput: delimiters and structure', () => {
  for (const [label, d] of [['comma', ','], ['semicolon', ';'], ['tab', '\t'], ['pipe', '|']] as const) {
    it(`detects the ${label} delimiter, even with the other ones inside values`, async () => {
      const other = d === ',' ? ';' : ',';
      const text = [`email${d}company${d}note`, `a@x.com${d}"Acme${d} Inc"${d}one${other}two`, `b@x.com${d}Beta${d}three`].join('\n');
      const { input, records } = await openFile(`delim-${label}.csv`, Buffer.from(text));
      expect(input.delimiter).toBe(d);
      expect(records.map((r) => r.values)).toEqual([
        ['a@x.com', `Acme${d} Inc`, `one${other}two`],
        ['b@x.com', 'Beta', 'three'],
      ]);
    });
  }

  it('keeps quoted newlines in the value and numbers rows and lines apart', async () => {
    const { records } = await openFile('newlines.csv', Buffer.from('email,address\na@x.com,"1 Main St\nSpringfield"\nb@x.com,"2 Side St\nSuite 4\nShelbyville"\nc@x.com,plain\n'));
    expect(records.map((r) => [r.row, r.line])).toEqual([[1, 3], [2, 6], [3, 7]]);
    expect(records[1]!.values[1]).toBe('2 Side St\nSuite 4\nShelbyville');
    const crlf = await openFile('newlines-crlf.csv', Buffer.from('email,address\r\na@x.com,"1 Main St\r\nSpringfield"\r\nb@x.com,plain\r\n'));
    expect(crlf.records.map((r) => r.values)).toEqual([['a@x.com', '1 Main St\r\nSpringfield'], ['b@x.com', 'plain']]);
  });

  it('hands rows with a wrong field count through (refused later), skipping blank lines', async () => {
    const { records } = await openFile('ragged.csv', Buffer.from('a,b,c\n1,2,3\n\n4,5\n6,7,8,9\n'));
    expect(records.map((r) => r.values.length)).toEqual([3, 2, 4]);
  });

  it('reports an unbalanced quote at the end of the file with the row and line', async () => {
    const path = join(dir, 'unclosed.csv');
    writeFileSync(path, 'email,name\na@x.com,Ann\nb@x.com,"Bob\nc@x.com,Cy\n');
    const input = await openCsvInput(createReadStream(path));
    const seen: string[] = [];
    const error = await (async () => {
      for await (const r of input.records) seen.push(r.values[0]!);
    })().catch((e: unknown) => e);
    // The good row before the broken one is still handed over, then the error names the row.
    expect(seen).toEqual(['a@x.com']);
    expect(isAppError(error)).toBe(true);
    expect((error as Error).message).toBe('Malformed CSV at data row 2 (line 4): a quote opened in this row is never closed (unbalanced quote at the end of the file)');
  });

  it('refuses an empty file, an empty header name and a repeated column', async () => {
    await expect(openFile('empty.csv', Buffer.alloc(0))).rejects.toThrow(/empty: expected a header row/);
    await expect(openFile('blank-col.csv', Buffer.from('email,,name\n'))).rejects.toThrow(/Header column 2 is empty/);
    await expect(openFile('dup-col.csv', Buffer.from('Email,email\n'))).rejects.toThrow(/"email" appears twice/);
  });
});
