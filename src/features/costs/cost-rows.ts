import { parsePeriodLabel, type CalendarPeriod } from '../../platform/calendar-periods.ts';
import { AppError } from '../../platform/errors.ts';
import { normalizeUtmValue } from '../attribution/index.ts';

/** Columns of a cost file or API row. `date` or `period` says when the money was spent. */
export const COST_COLUMNS = ['date', 'period', 'channel', 'campaign', 'cost', 'currency'] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

export interface CostInput {
  period: CalendarPeriod;
  channel: string;
  /** Normalised like touch campaigns (lower case, _ for spaces); '' for the channel as a whole. */
  campaign: string;
  /** Decimal text as given, e.g. "1250.50" (stored exactly). */
  cost: string;
  currency: string;
}

export interface CostProblem {
  /** Data row, 1 for the first row after the header (API: index in rows + 1). */
  row: number;
  line?: number;
  column: CostColumn | 'header';
  value: string;
  reason: string;
}

const MAX_PROBLEMS = 100;

/** The header check: known columns only, date or period, channel and cost present. */
export function checkCostHeader(header: readonly string[]): void {
  const unknown = header.filter((h) => !(COST_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) throw new AppError('invalid', `costs: unknown column(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected ${COST_COLUMNS.join(', ')}`, { column: unknown[0] });
  const missing = ['channel', 'cost', 'currency'].filter((c) => !header.includes(c));
  if (!header.includes('date') && !header.includes('period')) missing.unshift('date or period');
  if (missing.length > 0) throw new AppError('invalid', `costs: missing column(s) ${missing.join(', ')}; got ${header.join(', ') || '(none)'}`, { column: missing[0] });
}

/**
 * Validates cost rows against the workspace's channels. Collects every problem (up to
 * 100) so one pass fixes a file; throws `invalid` listing them, each with its row, column
 * and value, or returns the rows. The same period, channel, campaign and currency twice
 * is a problem too (which cost would be meant?).
 */
export function validateCostRows(rows: Iterable<{ row: number; line?: number; values: Partial<Record<CostColumn, string>> }>, channels: readonly string[]): CostInput[] {
  const known = new Set(channels);
  const problems: CostProblem[] = [];
  const out: CostInput[] = [];
  const seen = new Map<string, number>();
  for (const { row, line, values } of rows) {
    const problem = (column: CostProblem['column'], value: string, reason: string) => problems.length < MAX_PROBLEMS && problems.push({ row, ...(line ? { line } : {}), column, value, reason });
    const before = problems.length;
    const when = (values.period ?? '').trim() || (values.date ?? '').trim();
    const whenColumn: CostColumn = (values.period ?? '').trim() ? 'period' : 'date';
    const period = parsePeriodLabel(when);
    if (!period) problem(whenColumn, when, when === '' ? 'is empty: give a date (2026-09-14) or a period (2026-W38, 2026-09, 2026-Q3)' : 'is not a date (2026-09-14) or period (2026-W38, 2026-09, 2026-Q3)');
    else if (whenColumn === 'date' && period.unit !== 'day') problem('date', when, 'is a period, not a date: put it in a period column');
    const channel = normalizeUtmValue(values.channel) ?? '';
    if (channel === '') problem('channel', values.channel ?? '', 'is empty');
    else if (!known.has(channel)) problem('channel', values.channel ?? '', `is not a channel of this workspace's grouping (${[...known].join(', ')})`);
    const costText = (values.cost ?? '').trim();
    if (!/^\d{1,14}(\.\d{1,4})?$/.test(costText)) problem('cost', values.cost ?? '', costText === '' ? 'is empty' : 'is not an amount >= 0 with a dot for decimals and at most 4 of them (e.g. 1250.50)');
    const currency = (values.currency ?? '').trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) problem('currency', values.currency ?? '', 'is not a three-letter ISO 4217 code (e.g. EUR)');
    if (problems.length > before || !period) continue;
    const campaign = normalizeUtmValue(values.campaign) ?? '';
    const key = [period.start.toISOString(), period.end.toISOString(), channel, campaign, currency].join('|');
    const first = seen.get(key);
    if (first !== undefined) {
      problem('campaign', values.campaign ?? '', `repeats row ${first} (same period, channel, campaign and currency)`);
      continue;
    }
    seen.set(key, row);
    out.push({ period, channel, campaign, cost: costText, currency });
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 5).map((p) => `row ${p.row}${p.line ? ` (line ${p.line})` : ''}, column ${p.column}: ${JSON.stringify(p.value)} ${p.reason}`);
    throw new AppError('invalid', `costs: ${problems.length >= MAX_PROBLEMS ? `${MAX_PROBLEMS}+` : problems.length} problem(s), nothing imported: ${shown.join('; ')}${problems.length > 5 ? '; ...' : ''}`, { problems });
  }
  return out;
}
