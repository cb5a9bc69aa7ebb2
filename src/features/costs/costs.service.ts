import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { getAttributionSettings } from '../attribution/index.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { COST_COLUMNS, validateCostRows, type CostColumn, type CostInput } from './cost-rows.ts';
import { readCostCsv } from './costs-csv.ts';
import * as q from './costs.queries.ts';

export interface CostImportResult {
  rows: number;
  inserted: number;
  updated: number;
}

/** The channels costs may name: those of the workspace's channel grouping and its fallback. */
export async function listCostChannels(db: Kysely<Database>, workspaceId: string): Promise<string[]> {
  const { config } = await getAttributionSettings(db, workspaceId);
  return [...new Set([...config.rules.map((r) => r.channel), config.fallback])];
}

/**
 * Imports costs from CSV (columns date or period, channel, campaign, cost, currency), all
 * or nothing: any problem refuses the file, naming row, column and value. A row for a
 * period, channel, campaign and currency already imported replaces its cost.
 */
export async function importCostsCsv(db: Kysely<Database>, workspaceId: string, csv: string | Buffer | NodeJS.ReadableStream, actor: AuditActor, source = 'csv'): Promise<CostImportResult> {
  const records = await readCostCsv(csv);
  return saveCosts(db, workspaceId, validateCostRows(records, await listCostChannels(db, workspaceId)), actor, source);
}

/** The same from JSON rows (the API): each row an object of the cost columns. */
export async function importCostRows(db: Kysely<Database>, workspaceId: string, rows: ReadonlyArray<Record<string, unknown>>, actor: AuditActor): Promise<CostImportResult> {
  if (rows.length === 0) throw new AppError('invalid', 'costs: rows is empty');
  const records = rows.map((r, i) => {
    const values: Partial<Record<CostColumn, string>> = {};
    for (const [key, value] of Object.entries(r)) {
      if (!(COST_COLUMNS as readonly string[]).includes(key)) throw new AppError('invalid', `costs: rows[${i}]: unknown field ${JSON.stringify(key)}; expected ${COST_COLUMNS.join(', ')}`, { row: i + 1, column: key });
      if (value !== null && value !== undefined) values[key as CostColumn] = String(value);
    }
    return { row: i + 1, values };
  });
  return saveCosts(db, workspaceId, validateCostRows(records, await listCostChannels(db, workspaceId)), actor, 'api');
}

async function saveCosts(db: Kysely<Database>, workspaceId: string, rows: CostInput[], actor: AuditActor, source: string): Promise<CostImportResult> {
  const records = rows.map((r) => ({ period_start: r.period.start.toISOString().slice(0, 10), period_end: r.period.end.toISOString().slice(0, 10), channel: r.channel, campaign: r.campaign, cost: r.cost, currency: r.currency, source }));
  return db.transaction().execute(async (tx) => {
    const counts = await q.upsertCosts(tx, workspaceId, records);
    await recordAudit(tx, { workspaceId, actor, action: 'costs.imported', objectType: 'campaign_costs', objectId: null, details: { source, rows: rows.length, ...counts } });
    return { rows: rows.length, ...counts };
  });
}

export interface CostRow {
  period_start: string;
  /** Exclusive. */
  period_end: string;
  channel: string;
  campaign: string;
  cost: number;
  currency: string;
  source: string;
}

/** Imported cost rows whose period overlaps [from, to), as stored. */
export async function listCosts(db: Kysely<Database>, workspaceId: string, from: Date, to: Date): Promise<CostRow[]> {
  // Whole UTC days covering [from, to), named as text: the database's time zone plays no part.
  const DAY_MS = 86_400_000;
  const fromDay = new Date(Math.floor(from.getTime() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  const toDay = new Date(Math.ceil(to.getTime() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
  return (await q.selectCostsOverlapping(db, workspaceId, fromDay, toDay)).map((r) => ({ ...r, cost: Number(r.cost) }));
}

/**
 * The cost falling in [from, to) per row: a row's period only partly inside the range
 * counts for the share of its days inside (a September cost of 3,000 is 1,000 for
 * September 1-10). Ranges and periods are whole UTC days.
 */
export async function listCostsInRange(db: Kysely<Database>, workspaceId: string, from: Date, to: Date): Promise<CostRow[]> {
  const rows = await listCosts(db, workspaceId, from, to);
  return rows.map((r) => {
    const start = new Date(`${r.period_start}T00:00:00Z`);
    const end = new Date(`${r.period_end}T00:00:00Z`);
    const overlapMs = Math.min(end.getTime(), to.getTime()) - Math.max(start.getTime(), from.getTime());
    const share = overlapMs / (end.getTime() - start.getTime());
    return { ...r, cost: share >= 1 ? r.cost : r.cost * Math.max(0, share) };
  });
}
