import { AppError } from './errors.ts';

/** Calendar periods (UTC) that reports break down by and costs are imported for. */
export const PERIOD_UNITS = ['day', 'week', 'month', 'quarter'] as const;
export type PeriodUnit = (typeof PERIOD_UNITS)[number];

const DAY_MS = 86_400_000;

export function parsePeriodUnit(value: string, field = 'period'): PeriodUnit {
  if ((PERIOD_UNITS as readonly string[]).includes(value)) return value as PeriodUnit;
  throw new AppError('invalid', `${field} must be one of ${PERIOD_UNITS.join(', ')}; got "${value}"`);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Monday 00:00 UTC of the ISO week holding `ms`, and that week's ISO year and number. */
function isoWeek(ms: number): { year: number; week: number; mondayMs: number } {
  const day = Math.floor(ms / DAY_MS);
  const weekday = (new Date(day * DAY_MS).getUTCDay() + 6) % 7; // Monday 0
  const mondayMs = (day - weekday) * DAY_MS;
  const thursday = new Date(mondayMs + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week, mondayMs };
}

/**
 * The label of the period holding an instant: `2026-09-14` (day), `2026-W38` (ISO week,
 * Monday first), `2026-09` (month), `2026-Q3` (quarter). Labels sort in time order.
 */
export function periodLabel(ms: number, unit: PeriodUnit): string {
  const d = new Date(ms);
  switch (unit) {
    case 'day':
      return d.toISOString().slice(0, 10);
    case 'week': {
      const { year, week } = isoWeek(ms);
      return `${year}-W${pad(week)}`;
    }
    case 'month':
      return d.toISOString().slice(0, 7);
    case 'quarter':
      return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
  }
}

export interface CalendarPeriod {
  label: string;
  unit: PeriodUnit;
  /** Inclusive start, exclusive end (UTC midnights). */
  start: Date;
  end: Date;
}

/** Reads a period label (as `periodLabel` writes it); null when the text is none of them. */
export function parsePeriodLabel(text: string): CalendarPeriod | null {
  const value = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (m) {
    const start = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
    if (start.toISOString().slice(0, 10) !== value) return null;
    return { label: value, unit: 'day', start, end: new Date(start.getTime() + DAY_MS) };
  }
  m = /^(\d{4})-W(\d{2})$/i.exec(value);
  if (m) {
    const year = +m[1]!;
    const week = +m[2]!;
    // ISO week 1 holds January 4th.
    const monday = isoWeek(Date.UTC(year, 0, 4)).mondayMs + (week - 1) * 7 * DAY_MS;
    if (week < 1 || isoWeek(monday).year !== year) return null;
    return { label: `${year}-W${pad(week)}`, unit: 'week', start: new Date(monday), end: new Date(monday + 7 * DAY_MS) };
  }
  m = /^(\d{4})-(\d{2})$/.exec(value);
  if (m) {
    const month = +m[2]!;
    if (month < 1 || month > 12) return null;
    return { label: value, unit: 'month', start: new Date(Date.UTC(+m[1]!, month - 1, 1)), end: new Date(Date.UTC(+m[1]!, month, 1)) };
  }
  m = /^(\d{4})-Q([1-4])$/i.exec(value);
  if (m) {
    const q = +m[2]! - 1;
    return { label: `${m[1]}-Q${q + 1}`, unit: 'quarter', start: new Date(Date.UTC(+m[1]!, q * 3, 1)), end: new Date(Date.UTC(+m[1]!, q * 3 + 3, 1)) };
  }
  return null;
}

/** Whole days between two UTC midnights. */
export function daysBetween(start: Date, end: Date): number {
  return Math.round((end.getTime() - start.getTime()) / DAY_MS);
}
