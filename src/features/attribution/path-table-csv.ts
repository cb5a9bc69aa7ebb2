import { createReadStream } from 'node:fs';
import { AppError } from '../../platform/errors.ts';
import { PathTableBuilder, type PathTable } from './path-table.ts';

const REQUIRED = ['path', 'total_conversions'] as const;
const OPTIONAL = ['total_conversion_value', 'total_null'] as const;
const KNOWN: readonly string[] = [...REQUIRED, ...OPTIONAL];

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
 */
export async function readPathTableCsv(file: string, onRow?: (count: number) => void): Promise<PathTable> {
  const reader = new PathCsvReader(file);
  let pending = '';
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      pending += chunk;
      const end = pending.lastIndexOf('\n');
      if (end < 0) continue;
      reader.readLines(pending.slice(0, end));
      pending = pending.slice(end + 1);
      onRow?.(reader.rows);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('not_found', `path table file not found: ${file}`);
    throw error;
  }
  if (pending.length > 0) reader.readLines(pending);
  return reader.finish();
}

/** Parses CSV text already in memory (the API's CSV upload, tests). */
export function parsePathTableCsv(text: string, label = 'path table'): PathTable {
  const reader = new PathCsvReader(label);
  reader.readLines(text);
  return reader.finish();
}

class PathCsvReader {
  private readonly builder = new PathTableBuilder(false);
  private columns: Columns | undefined;
  private line = 0;
  private carry = '';
  rows = 0;

  constructor(private readonly label: string) {}

  readLines(text: string): void {
    let from = 0;
    while (from <= text.length) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      this.readLine(text.slice(from, to));
      from = to + 1;
    }
  }

  finish(): PathTable {
    if (this.carry) throw new AppError('invalid', `${this.label} line ${this.line}: a quoted field is not closed`);
    if (!this.columns) throw new AppError('invalid', `${this.label} is empty: expected a header row with ${REQUIRED.join(', ')}`);
    return this.builder.build();
  }

  private readLine(raw: string): void {
    this.line++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (this.carry) {
      line = `${this.carry}\n${line}`;
      this.carry = '';
    }
    if (line.includes('"') && countQuotes(line) % 2 === 1) {
      this.carry = line;
      return;
    }
    if (line.length === 0) return;
    const fields = line.includes('"') ? splitQuoted(line) : line.split(',');
    if (!this.columns) {
      this.columns = this.readHeader(fields);
      return;
    }
    this.readRow(fields, this.columns);
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

  private readRow(fields: string[], columns: Columns): void {
    if (fields.length !== columns.count) throw new AppError('invalid', `${this.label} line ${this.line}: expected ${columns.count} fields, got ${fields.length}`);
    const conversions = this.readNumber(fields[columns.conversions]!, 'total_conversions');
    const value = columns.value < 0 ? 0 : this.readNumber(fields[columns.value]!, 'total_conversion_value');
    const nulls = columns.nulls < 0 ? 0 : this.readNumber(fields[columns.nulls]!, 'total_null');
    const path = fields[columns.path]!;
    let from = 0;
    for (;;) {
      const to = path.indexOf('>', from);
      const name = path.slice(from, to < 0 ? path.length : to).trim();
      if (name.length === 0) throw new AppError('invalid', `${this.label} line ${this.line}, column path: empty channel in "${path.slice(0, 200)}"`);
      this.builder.pushTouch(this.builder.internChannel(name));
      if (to < 0) break;
      from = to + 1;
    }
    this.builder.endPath(conversions, value, nulls);
    this.rows++;
  }

  private readNumber(text: string, column: string): number {
    const trimmed = text.trim();
    const n = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(n) || n < 0) throw new AppError('invalid', `${this.label} line ${this.line}, column ${column}: expected a non-negative number, got "${trimmed.slice(0, 100)}"`);
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
