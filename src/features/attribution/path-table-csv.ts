import { createReadStream } from 'node:fs';
import { AppError } from '../../platform/errors.ts';
import { ChannelByteIndex, parseNumberBytes, pushPathBytes, splitFields } from './path-bytes.ts';
import { PathTableBuilder, type PathTable } from './path-table.ts';

const REQUIRED = ['path', 'total_conversions'] as const;
const OPTIONAL = ['total_conversion_value', 'total_null'] as const;
const KNOWN: readonly string[] = [...REQUIRED, ...OPTIONAL];
const NEWLINE = 10;

interface Columns {
  path: number;
  conversions: number;
  value: number;
  nulls: number;
  count: number;
}

/**
 * Streams a ChannelAttribution path table (columns path with ` > ` between channels,
 * total_conversions, and optionally total_conversion_value and total_null) into a path
 * table. Fields may be quoted (RFC 4180). Bad rows fail with the line and column named.
 * Lines are parsed as bytes (no string per field or channel) to keep 1M paths near the
 * cost of reading the file.
 */
export async function readPathTableCsv(file: string): Promise<PathTable> {
  const reader = new PathCsvReader(file);
  let leftover: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      const buf = leftover.length > 0 ? Buffer.concat([leftover, chunk]) : chunk;
      const end = buf.lastIndexOf(NEWLINE);
      if (end < 0) {
        leftover = buf;
        continue;
      }
      reader.readBytes(buf, 0, end);
      leftover = Buffer.from(buf.subarray(end + 1));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `path table file not found: ${file}`);
    throw error;
  }
  if (leftover.length > 0) reader.readBytes(leftover, 0, leftover.length);
  return reader.finish();
}

/** Parses CSV text already in memory (the API's CSV body, tests). */
export function parsePathTableCsv(text: string, label = 'path table'): PathTable {
  const reader = new PathCsvReader(label);
  const buf = Buffer.from(text, 'utf8');
  reader.readBytes(buf, 0, buf.length);
  return reader.finish();
}

class PathCsvReader {
  private readonly builder = new PathTableBuilder(false);
  private readonly channels = new ChannelByteIndex(this.builder);
  private columns: Columns | undefined;
  private line = 0;
  private carry = '';
  private readonly starts = new Int32Array(8);
  private readonly ends = new Int32Array(8);

  constructor(private readonly label: string) {}

  /** Reads the lines of buf[from, to) (to: end of the last complete line). */
  readBytes(buf: Buffer, from: number, to: number): void {
    let a = from;
    while (a <= to) {
      let b = buf.indexOf(NEWLINE, a);
      if (b < 0 || b > to) b = to;
      this.line++;
      let e = b;
      if (e > a && buf[e - 1] === 13) e--;
      if (this.carry !== '' || !this.columns || !this.readRowBytes(buf, a, e, this.columns)) this.readText(buf.toString('utf8', a, e));
      a = b + 1;
    }
  }

  finish(): PathTable {
    if (this.carry) throw new AppError('invalid', `${this.label} line ${this.line}: a quoted field is not closed`);
    if (!this.columns) throw new AppError('invalid', `${this.label} is empty: expected a header row with ${REQUIRED.join(', ')}`);
    return this.builder.build();
  }

  private readText(raw: string): void {
    let line = raw;
    if (this.carry) {
      line = `${this.carry}\n${line}`;
      this.carry = '';
    }
    if (countQuotes(line) % 2 === 1) {
      this.carry = line;
      return;
    }
    if (line.length === 0) return;
    const fields = line.includes('"') ? splitQuoted(line) : line.split(',');
    if (!this.columns) {
      this.columns = this.readHeader(fields);
      return;
    }
    const buf = Buffer.from(fields.join('\u0000'), 'utf8');
    // Re-read the unquoted fields through the byte path; NUL separates them safely.
    this.readFields(buf, fields, this.columns);
  }

  private readHeader(fields: string[]): Columns {
    const names = fields.map((f, i) => (i === 0 ? f.replace(/^\uFEFF/, '') : f).trim().toLowerCase());
    const unknown = names.filter((n) => !KNOWN.includes(n));
    if (unknown.length > 0) throw new AppError('invalid', `${this.label} header: unknown column "${unknown[0]}"; expected ${KNOWN.join(', ')}`);
    for (const r of REQUIRED) if (!names.includes(r)) throw new AppError('invalid', `${this.label} header: missing column "${r}" (found ${names.join(', ')})`);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new AppError('invalid', `${this.label} header: column "${dup}" appears twice`);
    return { path: names.indexOf('path'), conversions: names.indexOf('total_conversions'), value: names.indexOf('total_conversion_value'), nulls: names.indexOf('total_null'), count: names.length };
  }

  /** False when the line holds a quote: the text path reads it. */
  private readRowBytes(buf: Buffer, a: number, e: number, columns: Columns): boolean {
    if (e === a) return true;
    const count = splitFields(buf, a, e, this.starts, this.ends);
    if (count < 0) return false;
    if (count !== columns.count) throw new AppError('invalid', `${this.label} line ${this.line}: expected ${columns.count} fields, got ${count}`);
    this.pushRow(buf, columns);
    return true;
  }

  private readFields(buf: Buffer, fields: string[], columns: Columns): void {
    if (fields.length !== columns.count) throw new AppError('invalid', `${this.label} line ${this.line}: expected ${columns.count} fields, got ${fields.length}`);
    let at = 0;
    fields.forEach((f, i) => {
      const len = Buffer.byteLength(f, 'utf8');
      this.starts[i] = at;
      this.ends[i] = at + len;
      at += len + 1;
    });
    this.pushRow(buf, columns);
  }

  private pushRow(buf: Buffer, columns: Columns): void {
    const conversions = this.numberAt(buf, columns.conversions, 'total_conversions');
    const value = columns.value < 0 ? 0 : this.numberAt(buf, columns.value, 'total_conversion_value');
    const nulls = columns.nulls < 0 ? 0 : this.numberAt(buf, columns.nulls, 'total_null');
    const ps = this.starts[columns.path]!;
    const pe = this.ends[columns.path]!;
    if (!pushPathBytes(buf, ps, pe, this.channels, this.builder)) {
      throw new AppError('invalid', `${this.label} line ${this.line}, column path: empty channel in "${buf.toString('utf8', ps, Math.min(pe, ps + 200))}"`);
    }
    this.builder.endPath(conversions, value, nulls);
  }

  private numberAt(buf: Buffer, column: number, name: string): number {
    const n = parseNumberBytes(buf, this.starts[column]!, this.ends[column]!);
    if (!Number.isFinite(n) || n < 0) {
      throw new AppError('invalid', `${this.label} line ${this.line}, column ${name}: expected a non-negative number, got "${buf.toString('utf8', this.starts[column]!, this.ends[column]!).trim().slice(0, 100)}"`);
    }
    return n;
  }
}

function countQuotes(line: string): number {
  let n = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) n++;
  return n;
}

/** One RFC 4180 record whose quotes are balanced. */
function splitQuoted(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
