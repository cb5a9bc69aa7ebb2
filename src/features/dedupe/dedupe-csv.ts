import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { AppError } from '../../platform/errors.ts';
import { FIELD_KINDS, type FieldKind, type FieldSpec, type InputRecord } from './engine/field-spec.ts';
import { matchRecords, selectScoredPairs, type MatchStats } from './engine/match-records.ts';

export interface CsvDedupeOptions {
  input: string;
  idColumn: string;
  out: string;
  /** "Column=kind,Column2=kind"; columns not named are mapped from their header when it says what they hold. */
  fields?: string | undefined;
  /** Pairs at or above this match probability are written. */
  threshold?: number | undefined;
  maxBlockSize?: number | undefined;
}

export interface CsvDedupeResult {
  fields: FieldSpec[];
  records: number;
  pairsWritten: number;
  stats: MatchStats;
}

// Header words -> field kind, tried in order (the first rule that matches a header wins).
const HEADER_RULES: Array<[RegExp, FieldKind]> = [
  [/^(first|given|fore)[ _-]?name$|^firstname$|^given$/i, 'given_name'],
  [/^(last|family|sur)[ _-]?name$|^lastname$|^surname$/i, 'family_name'],
  [/e-?mail/i, 'email'],
  [/phone|mobile|^tel/i, 'phone'],
  [/company|organi[sz]ation|employer|account[ _-]?name|^agency$/i, 'company'],
  [/website|domain|^url$|^web$/i, 'domain'],
  [/birth|^dob$|street[ _-]?number/i, 'code'],
  [/address|street/i, 'address'],
  [/zip|post[ _-]?code|postal/i, 'code'],
  [/^(city|suburb|town|state|country|region)$/i, 'exact'],
  [/name$/i, 'name'],
];

function kindOfHeader(header: string): FieldKind | undefined {
  return HEADER_RULES.find(([pattern]) => pattern.test(header.trim()))?.[1];
}

/** The fields to compare: --fields first, then every other column whose header says what it holds. */
export function mapCsvFields(headers: readonly string[], idColumn: string, fields: string | undefined): FieldSpec[] {
  const explicit = new Map<string, FieldKind>();
  for (const part of (fields ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.lastIndexOf('=');
    const column = at > 0 ? part.slice(0, at).trim() : '';
    const kind = at > 0 ? part.slice(at + 1).trim() : '';
    if (!column || !headers.includes(column)) throw new AppError('invalid', `--fields: column "${column || part}" is not in the CSV header (${headers.join(', ')})`, { field: 'fields' });
    if (!(FIELD_KINDS as readonly string[]).includes(kind)) throw new AppError('invalid', `--fields: kind "${kind}" of column "${column}" is not one of ${FIELD_KINDS.join(', ')}`, { field: 'fields' });
    explicit.set(column, kind as FieldKind);
  }
  const specs: FieldSpec[] = [];
  for (const header of headers) {
    if (header === idColumn) continue;
    const kind = fields ? explicit.get(header) : kindOfHeader(header);
    if (kind) specs.push({ name: header, kind });
  }
  if (specs.length === 0) throw new AppError('invalid', `No column to compare: name them with --fields "Column=kind" (kinds: ${FIELD_KINDS.join(', ')})`, { field: 'fields' });
  return specs;
}

async function readCsvRecords(path: string, idColumn: string): Promise<{ headers: string[]; rows: Array<Record<string, string>> }> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new AppError('not_found', `CSV file "${path}" not found or not readable`);
  }
  const parser = createReadStream(path).pipe(parse({ columns: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
  const rows: Array<Record<string, string>> = [];
  const seen = new Set<string>();
  let headers: string[] = [];
  try {
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      if (headers.length === 0) {
        headers = Object.keys(row);
        if (!headers.includes(idColumn)) throw new AppError('invalid', `--id-column "${idColumn}" is not in the CSV header (${headers.join(', ')})`, { field: 'id-column' });
      }
      const id = row[idColumn] ?? '';
      const line = rows.length + 2;
      if (id === '') throw new AppError('invalid', `Row ${line}: column "${idColumn}" is empty; every row needs an id`, { field: idColumn, row: line });
      if (seen.has(id)) throw new AppError('invalid', `Row ${line}: id "${id.slice(0, 100)}" in column "${idColumn}" appears twice`, { field: idColumn, row: line });
      seen.add(id);
      rows.push(row);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError('invalid', `CSV file "${path}" could not be parsed: ${message}`);
  }
  if (rows.length === 0) throw new AppError('invalid', `CSV file "${path}" has no data rows`);
  return { headers, rows };
}

const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * Deduplicates any CSV of people or organisations: writes id_a,id_b,score (the match
 * probability) for every pair at or above the threshold, most likely first.
 */
export async function dedupeCsvFile(options: CsvDedupeOptions): Promise<CsvDedupeResult> {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) throw new AppError('invalid', `--threshold must be between 0 and 1, got "${options.threshold}"`, { field: 'threshold' });
  const { headers, rows } = await readCsvRecords(options.input, options.idColumn);
  const fields = mapCsvFields(headers, options.idColumn, options.fields);
  const records: InputRecord[] = rows.map((row) => ({ id: row[options.idColumn]!, values: row }));
  const run = matchRecords(records, fields, { maxBlockSize: options.maxBlockSize });
  const pairs = selectScoredPairs(run, threshold);
  const out = createWriteStream(options.out);
  out.write('id_a,id_b,score\n');
  for (const p of pairs) {
    const line = `${csvCell(run.records.ids[p.a]!)},${csvCell(run.records.ids[p.b]!)},${p.probability.toFixed(6)}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { fields, records: records.length, pairsWritten: pairs.length, stats: run.stats };
}
