import { Readable, Transform } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError } from '../../platform/errors.ts';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export const CSV_ENCODINGS: readonly CsvEncoding[] = ['utf-8', 'utf-16le', 'utf-16be', 'windows-1252'];
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const;

const SNIFF_BYTES = 64 * 1024;
const MAX_RECORD_CHARS = 1024 * 1024;

export interface CsvRecord {
  /** Data row number, 1 for the first row after the header. */
  row: number;
  /** Line in the file where the record ends (quoted newlines make rows span lines). */
  line: number;
  values: string[];
}

export interface CsvInput {
  encoding: CsvEncoding;
  delimiter: string;
  header: string[];
  /** Data records, in file order; a structural error (unclosed quote) throws `invalid` naming the line. */
  records: AsyncIterable<CsvRecord>;
  /** Raw bytes read from the source so far (for progress and checkpoints). */
  bytesRead(): number;
}

export interface CsvInputOptions {
  encoding?: string | undefined;
  delimiter?: string | undefined;
}

/**
 * Opens a CSV byte stream without holding it in memory: sniffs the encoding (BOM, else
 * valid UTF-8, else Windows-1252, a superset of Latin-1) and the delimiter from the
 * first 64 KiB, then decodes and parses record by record.
 */
export async function openCsvInput(source: AsyncIterable<Buffer | Uint8Array>, options: CsvInputOptions = {}): Promise<CsvInput> {
  const iterator = source[Symbol.asyncIterator]();
  const head = await readHead(iterator);
  const encoding = options.encoding ? parseEncoding(options.encoding) : detectEncoding(head);
  const sample = iconv.decode(head, encoding);
  const delimiter = options.delimiter ? parseDelimiter(options.delimiter) : detectDelimiter(sample);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const raw = Readable.from(chainHead(head, iterator), { objectMode: false });
  const parser = raw
    .pipe(counter)
    .pipe(iconv.decodeStream(encoding, { stripBOM: true }))
    .pipe(parse({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, info: true, max_record_size: MAX_RECORD_CHARS }));
  raw.on('error', (error) => parser.destroy(error));
  const records = readRecords(drainInOrder(parser));
  const first = await records.next();
  if (first.done) throw new AppError('invalid', 'The CSV file is empty: expected a header row', { field: 'file' });
  const header = first.value.values.map((h) => h.trim());
  checkHeader(header);
  return { encoding, delimiter, header, records, bytesRead: () => bytes };
}

async function readHead(iterator: AsyncIterator<Buffer | Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    chunks.push(chunk);
    size += chunk.length;
  }
  return Buffer.concat(chunks, size);
}

async function* chainHead(head: Buffer, iterator: AsyncIterator<Buffer | Uint8Array>): AsyncGenerator<Buffer> {
  if (head.length > 0) yield head;
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
  }
}

type ParsedRecord = { record: string[]; info: { lines: number } };

/**
 * The parser's records, then its error, in that order. (A stream's own async iterator
 * throws as soon as the error is emitted and drops the records parsed before it, so the
 * good rows just above a broken one would never be imported.)
 */
async function* drainInOrder(parser: NodeJS.ReadableStream & { destroy(): void }): AsyncGenerator<ParsedRecord> {
  const queue: ParsedRecord[] = [];
  let failure: unknown = null;
  let ended = false;
  let wake: (() => void) | null = null;
  const notify = () => wake?.();
  parser.on('data', (r: ParsedRecord) => {
    queue.push(r);
    if (queue.length >= 1000) parser.pause();
    notify();
  });
  parser.on('error', (e: unknown) => ((failure = e), notify()));
  parser.on('end', () => ((ended = true), notify()));
  try {
    for (;;) {
      if (queue.length > 0) {
        const next = queue.shift()!;
        if (queue.length < 100) parser.resume();
        yield next;
      } else if (failure) throw failure;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    parser.destroy();
  }
}

async function* readRecords(parser: AsyncIterable<ParsedRecord>): AsyncGenerator<CsvRecord> {
  let row = 0;
  try {
    for await (const { record, info } of parser) {
      yield { row: row++, line: info.lines, values: record };
    }
  } catch (error) {
    if (error instanceof CsvError) {
      // `records` counts the header: the record that failed is data row `records`.
      const { lines, records } = error as CsvError & { lines?: number; records?: number };
      const at = Math.max(records ?? row, 1);
      throw new AppError('invalid', `Malformed CSV at data row ${at}${lines ? ` (line ${lines})` : ''}: ${describeCsvError(error)}`, { field: 'file', row: at, line: lines });
    }
    throw error;
  }
}

function describeCsvError(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return 'a quote opened in this row is never closed (unbalanced quote at the end of the file)';
  if (error.code === 'CSV_MAX_RECORD_SIZE') return `a record is longer than ${MAX_RECORD_CHARS} characters (probably an unbalanced quote)`;
  return error.message;
}

function checkHeader(header: string[]): void {
  const seen = new Set<string>();
  header.forEach((name, i) => {
    if (name === '') throw new AppError('invalid', `Header column ${i + 1} is empty: every column needs a name`, { field: 'header', column: i + 1 });
    if (seen.has(name.toLowerCase())) throw new AppError('invalid', `Header column ${JSON.stringify(name)} appears twice`, { field: 'header', value: name });
    seen.add(name.toLowerCase());
  });
}

/** Picks the encoding from a byte-order mark, else from whether the bytes are valid UTF-8. */
export function detectEncoding(head: Buffer): CsvEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  // UTF-16 without a BOM: ASCII text leaves every other byte zero.
  const zeros = (parity: number) => head.subarray(0, 512).filter((b, i) => i % 2 === parity && b === 0).length;
  const half = Math.min(head.length, 512) / 2;
  if (half >= 4 && zeros(1) > half * 0.8) return 'utf-16le';
  if (half >= 4 && zeros(0) > half * 0.8) return 'utf-16be';
  // The sample may end inside a multi-byte character: ignore up to 3 trailing bytes.
  for (let cut = 0; cut <= Math.min(3, head.length); cut += 1) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
      return 'utf-8';
    } catch {
      if (head.length < SNIFF_BYTES) break;
    }
  }
  return 'windows-1252';
}

/** The delimiter that splits the first lines into the same number (> 1) of fields. */
export function detectDelimiter(sample: string): string {
  const lines = sample
    .replace(/"(?:[^"]|"")*"/g, '""')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '')
    .slice(0, 20);
  if (lines.length > 1 && sample.length >= SNIFF_BYTES) lines.pop(); // likely cut short
  let best = ',';
  let bestScore = 0;
  for (const d of CSV_DELIMITERS) {
    const counts = lines.map((l) => l.split(d).length - 1);
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

export function parseEncoding(value: string): CsvEncoding {
  const v = value.trim().toLowerCase().replace(/_/g, '-');
  const aliases: Record<string, CsvEncoding> = {
    'utf-8': 'utf-8', utf8: 'utf-8', 'utf-16le': 'utf-16le', utf16le: 'utf-16le', 'utf-16be': 'utf-16be', utf16be: 'utf-16be',
    'utf-16': 'utf-16le', latin1: 'windows-1252', 'latin-1': 'windows-1252', 'iso-8859-1': 'windows-1252', 'windows-1252': 'windows-1252', cp1252: 'windows-1252',
  };
  const encoding = aliases[v];
  if (!encoding) throw new AppError('invalid', `encoding must be one of utf-8, utf-16le, utf-16be, latin1 (windows-1252); got ${JSON.stringify(value)}`, { field: 'encoding' });
  return encoding;
}

export function parseDelimiter(value: string): string {
  const names: Record<string, string> = { comma: ',', semicolon: ';', tab: '\t', '\\t': '\t', pipe: '|' };
  const d = names[value.toLowerCase()] ?? value;
  if (!(CSV_DELIMITERS as readonly string[]).includes(d)) {
    throw new AppError('invalid', `delimiter must be one of , ; tab | (or comma, semicolon, tab, pipe); got ${JSON.stringify(value)}`, { field: 'delimiter' });
  }
  return d;
}
