import type { Kysely } from 'kysely';
import { AppError, rethrowConflict, sqlStateOf } from '../../platform/errors.ts';
import type { Database, OpportunityRow } from '../../platform/db/schema.ts';
import * as q from './opportunities.queries.ts';

/** open: still in the pipeline; won: closed with revenue; lost: closed without. */
export type OpportunityStatus = 'open' | 'won' | 'lost';

export interface OpportunityInput {
  accountId: string;
  name: string;
  /** Non-negative; a decimal string keeps large amounts exact. */
  amount: number | string;
  /** ISO 4217, three uppercase letters: "USD". */
  currency: string;
  stage: string;
  /** Defaults from the stage: "Closed Won"/"Won" -> won, "Closed Lost"/"Lost" -> lost, anything else -> open. */
  status?: OpportunityStatus | undefined;
  createdDate: Date | string;
  closedDate?: Date | string | null | undefined;
  /** The id in the CRM it came from; unique within the workspace. */
  externalId?: string | null | undefined;
}

export type Opportunity = OpportunityRow & { status: OpportunityStatus };

export interface OpportunityList {
  items: Opportunity[];
  /** Pass as `before` for the next page; null on the last page. */
  next: { createdDate: Date; id: string } | null;
}

export type OpportunityFilter = q.OpportunityFilter;
export type OpportunityPage = Omit<q.OpportunityPage, 'limit'> & { limit?: number | undefined };

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AMOUNT_PATTERN = /^\d{1,18}(\.\d{1,2})?$/;
const MAX_TEXT = 500;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 1000;
const BULK_CHUNK = 1000;

/** The status a stage name implies when none is given. */
export function statusOfStage(stage: string): OpportunityStatus {
  const normalized = stage.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
  if (normalized === 'closed won' || normalized === 'won') return 'won';
  if (normalized === 'closed lost' || normalized === 'lost') return 'lost';
  return 'open';
}

export function statusOf(row: Pick<OpportunityRow, 'is_closed' | 'is_won'>): OpportunityStatus {
  if (!row.is_closed) return 'open';
  return row.is_won ? 'won' : 'lost';
}

/**
 * Creates one opportunity. Throws `invalid` naming the field at fault, `not_found` when
 * the account is not in the workspace, `conflict` when the external id is taken.
 *
 * @example
 * await createOpportunity(db, workspaceId, { accountId, name: 'Acme - New Business', amount: 48000,
 *   currency: 'USD', stage: 'Closed Won', createdDate: '2024-03-01', closedDate: '2024-05-10' });
 */
export async function createOpportunity(db: Kysely<Database>, workspaceId: string, input: OpportunityInput): Promise<Opportunity> {
  const row = toInsert(input, '');
  const [created] = await insertChecked(db, workspaceId, [row], false);
  return withStatus(created!);
}

/**
 * Creates many opportunities in few statements, all or nothing (every row is validated
 * before anything is written). With `skipExisting`, rows whose external id is already
 * stored are skipped, so a re-run of an import or the demo seed is harmless. Returns the
 * number inserted.
 */
export async function createOpportunities(
  db: Kysely<Database>,
  workspaceId: string,
  inputs: OpportunityInput[],
  options: { skipExisting?: boolean } = {},
): Promise<number> {
  const rows = inputs.map((input, i) => toInsert(input, `opportunities[${i}].`));
  const insertAll = async (trx: Kysely<Database>) => {
    let inserted = 0;
    for (let start = 0; start < rows.length; start += BULK_CHUNK) {
      const created = await insertChecked(trx, workspaceId, rows.slice(start, start + BULK_CHUNK), options.skipExisting ?? false);
      inserted += created.length;
    }
    return inserted;
  };
  if (rows.length <= BULK_CHUNK || db.isTransaction) return insertAll(db);
  // Several statements: one transaction, so that a missing account in the last chunk
  // leaves nothing half-written.
  return db.transaction().execute(insertAll);
}

/**
 * Creates opportunities or updates the stored ones with the same external id (an import
 * re-run after amounts or stages changed in the CRM), all or nothing like
 * createOpportunities. Two inputs with one external id: the later one counts. Returns how
 * many were inserted and how many updated; the rest were stored as given already.
 */
export async function upsertOpportunities(db: Kysely<Database>, workspaceId: string, inputs: OpportunityInput[]): Promise<{ inserted: number; updated: number }> {
  const all = inputs.map((input, i) => toInsert(input, `opportunities[${i}].`));
  const lastOf = new Map<string, number>();
  all.forEach((row, i) => row.external_id !== null && lastOf.set(row.external_id, i));
  const rows = all.filter((row, i) => row.external_id === null || lastOf.get(row.external_id) === i);
  const writeAll = async (trx: Kysely<Database>) => {
    const out = { inserted: 0, updated: 0 };
    for (let start = 0; start < rows.length; start += BULK_CHUNK) {
      const written = await upsertChecked(trx, workspaceId, rows.slice(start, start + BULK_CHUNK));
      for (const row of written) out[row.inserted ? 'inserted' : 'updated']++;
    }
    return out;
  };
  if (rows.length <= BULK_CHUNK || db.isTransaction) return writeAll(db);
  return db.transaction().execute(writeAll);
}

export async function getOpportunity(db: Kysely<Database>, workspaceId: string, id: string): Promise<Opportunity> {
  const row = UUID_PATTERN.test(id) ? await q.selectOpportunity(db, workspaceId, id) : undefined;
  if (!row) throw new AppError('not_found', `Opportunity ${JSON.stringify(id)} not found in this workspace`);
  return withStatus(row);
}

/** Newest first (created_date desc, id desc); page on with `before: result.next`. */
export async function listOpportunities(db: Kysely<Database>, workspaceId: string, page: OpportunityPage = {}): Promise<OpportunityList> {
  const limit = page.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AppError('invalid', `limit must be an integer from 1 to ${MAX_LIMIT}, got ${show(limit)}`, { field: 'limit' });
  }
  checkFilter(page);
  if (page.before && (!UUID_PATTERN.test(page.before.id) || Number.isNaN(page.before.createdDate.getTime()))) {
    throw new AppError('invalid', `before must be a { createdDate, id } position from a previous page, got ${JSON.stringify(page.before)}`, { field: 'before' });
  }
  const rows = await q.selectOpportunities(db, workspaceId, { ...page, limit });
  const last = rows.at(-1);
  return {
    items: rows.map(withStatus),
    next: rows.length === limit && last ? { createdDate: last.created_date, id: last.id } : null,
  };
}

export async function countOpportunities(db: Kysely<Database>, workspaceId: string, filter: OpportunityFilter = {}): Promise<number> {
  checkFilter(filter);
  return q.countOpportunityRows(db, workspaceId, filter);
}

async function insertChecked(db: Kysely<Database>, workspaceId: string, rows: q.OpportunityInsert[], skipExisting: boolean) {
  return withAccountCheck(rows, () => q.insertOpportunityRows(db, workspaceId, rows, skipExisting));
}

async function upsertChecked(db: Kysely<Database>, workspaceId: string, rows: q.OpportunityInsert[]) {
  return withAccountCheck(rows, () => q.upsertOpportunityRows(db, workspaceId, rows));
}

async function withAccountCheck<T>(rows: q.OpportunityInsert[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    // The composite foreign key (workspace_id, account_id) is the existence check: it also
    // refuses an account of another workspace, and costs no extra round trip.
    if (sqlStateOf(error) === '23503') {
      const accountId = missingAccountOf(error, rows);
      throw new AppError('not_found', `Account ${accountId ? JSON.stringify(accountId) : 'of an opportunity'} not found in this workspace`, {
        field: 'accountId',
        value: accountId,
      });
    }
    const ids = rows.map((r) => r.external_id).filter((id): id is string => typeof id === 'string');
    const named = ids.length === 1 ? ` ${JSON.stringify(ids[0])}` : '';
    return rethrowConflict(error, `An opportunity with externalId${named} already exists in this workspace`);
  }
}

/** The account id named in the driver's foreign-key error detail, when it can be found. */
function missingAccountOf(error: unknown, rows: q.OpportunityInsert[]): string | undefined {
  const detail = typeof error === 'object' && error !== null && 'detail' in error ? String((error as { detail: unknown }).detail) : '';
  return rows.find((r) => detail.includes(r.account_id))?.account_id ?? (rows.length === 1 ? rows[0]!.account_id : undefined);
}

function checkFilter(filter: OpportunityFilter): void {
  if (filter.accountId !== undefined && !UUID_PATTERN.test(filter.accountId)) {
    throw new AppError('invalid', `accountId must be a UUID, got ${JSON.stringify(filter.accountId)}`, { field: 'accountId' });
  }
}

/** A value as it appears in an error message: `-5`, `NaN`, `"usd"`, `nothing`. */
function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : value.toISOString();
  return (JSON.stringify(value) ?? String(value)).slice(0, 100);
}

function withStatus(row: OpportunityRow): Opportunity {
  return { ...row, status: statusOf(row) };
}

function invalid(field: string, message: string): AppError {
  return new AppError('invalid', `${field} ${message}`, { field });
}

function toInsert(input: OpportunityInput, prefix: string): q.OpportunityInsert {
  const f = (name: string) => `${prefix}${name}`;
  if (typeof input.accountId !== 'string' || !UUID_PATTERN.test(input.accountId)) {
    throw invalid(f('accountId'), `must be a UUID, got ${show(input.accountId)}`);
  }
  const name = requiredText(input.name, f('name'));
  const stage = requiredText(input.stage, f('stage'));
  const amount = toAmount(input.amount, f('amount'));
  if (typeof input.currency !== 'string' || !/^[A-Z]{3}$/.test(input.currency)) {
    throw invalid(f('currency'), `must be 3 uppercase letters (ISO 4217, e.g. "USD"), got ${show(input.currency)}`);
  }
  const status = input.status ?? statusOfStage(stage);
  if (status !== 'open' && status !== 'won' && status !== 'lost') {
    throw invalid(f('status'), `must be "open", "won" or "lost", got ${show(status)}`);
  }
  const createdDate = toDate(input.createdDate, f('createdDate'));
  const closedDate = input.closedDate === undefined || input.closedDate === null ? null : toDate(input.closedDate, f('closedDate'));
  if (closedDate && closedDate < createdDate) {
    throw invalid(f('closedDate'), `(${closedDate.toISOString()}) must not be before createdDate (${createdDate.toISOString()})`);
  }
  const externalId = input.externalId === undefined || input.externalId === null ? null : requiredText(input.externalId, f('externalId'));
  return {
    account_id: input.accountId,
    external_id: externalId,
    name,
    amount,
    currency: input.currency,
    stage,
    is_closed: status !== 'open',
    is_won: status === 'won',
    created_date: createdDate.toISOString(),
    closed_date: closedDate?.toISOString() ?? null,
  };
}

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid(field, `must be a non-empty string, got ${show(value)}`);
  const text = value.trim();
  if (text.length > MAX_TEXT) throw invalid(field, `is ${text.length} characters; the limit is ${MAX_TEXT}`);
  return text;
}

function toAmount(value: unknown, field: string): string {
  // Numbers round to cents (0.1 + 0.2 is still 0.30); text is taken as exact or refused.
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1e18) return value.toFixed(2);
  if (typeof value === 'string' && AMOUNT_PATTERN.test(value.trim())) return value.trim();
  throw invalid(field, `must be a number >= 0 (at most 18 integer digits and 2 decimals), got ${show(value)}`);
}

function toDate(value: unknown, field: string): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw invalid(field, `must be a date (ISO 8601 string or Date), got ${show(value)}`);
  return date;
}

/** Account merges: move an account's opportunities, and move them back on undo. */
export const moveOpportunitiesToAccount = (db: Kysely<Database>, workspaceId: string, from: string, to: string) =>
  q.updateOpportunitiesAccountReturningIds(db, workspaceId, from, to);

export const restoreOpportunitiesToAccount = (db: Kysely<Database>, workspaceId: string, ids: string[], from: string, to: string) =>
  q.restoreOpportunitiesAccount(db, workspaceId, ids, from, to);
/** Opportunities created or closed in [from, to), oldest first (attribution of pipeline and revenue). */
export const listOpportunitiesBetween = (db: Kysely<Database>, workspaceId: string, from: Date, to: Date) => q.selectOpportunitiesBetween(db, workspaceId, from, to);
export type OpportunityInPeriod = Awaited<ReturnType<typeof q.selectOpportunitiesBetween>>[number];
