import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { AppError } from '../../platform/errors.ts';
import { checkCostHeader, type CostColumn } from './cost-rows.ts';

export interface CostCsvRecord {
  row: number;
  line: number;
  values: Partial<Record<CostColumn, string>>;
}

const MAX_RECORD_CHARS = 10_000;

/**
 * Reads a cost CSV (RFC 4180, header row; BOM allowed) into records. A broken file
 * (unclosed quote, a row with more or fewer fields than the header) is `invalid`, naming
 * the line; column names are matched without case and surrounding spaces.
 */
export async function readCostCsv(csv: string | Buffer | NodeJS.ReadableStream): Promise<CostCsvRecord[]> {
  const input = typeof csv === 'string' || Buffer.isBuffer(csv) ? Readable.from([csv]) : csv;
  const parser = input.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: false, max_record_size: MAX_RECORD_CHARS, info: true }));
  let header: CostColumn[] | null = null;
  const records: CostCsvRecord[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record.map((h) => h.trim().toLowerCase()) as CostColumn[];
        checkCostHeader(header);
        continue;
      }
      const values: Partial<Record<CostColumn, string>> = {};
      header.forEach((column, i) => (values[column] = record[i]));
      records.push({ row: records.length + 1, line: info.lines, values });
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const e = error as Error & { lines?: number; code?: string };
    throw new AppError('invalid', `costs: the CSV is broken${e.lines ? ` at line ${e.lines}` : ''}: ${e.message}`, { line: e.lines, reason: e.code });
  }
  if (!header) throw new AppError('invalid', 'costs: the CSV is empty; expected a header (date or period, channel, campaign, cost, currency) and rows');
  if (records.length === 0) throw new AppError('invalid', 'costs: the CSV has a header and no rows');
  return records;
}
