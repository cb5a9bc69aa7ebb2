import { sql, type Kysely } from 'kysely';
import type { Database, OpportunityRow } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

/** One validated row, ready for the table (amount as exact decimal text). */
export interface OpportunityInsert {
  account_id: string;
  external_id: string | null;
  name: string;
  amount: string;
  currency: string;
  stage: string;
  is_closed: boolean;
  is_won: boolean;
  created_date: string;
  closed_date: string | null;
}

export interface OpportunityFilter {
  accountId?: string | undefined;
  stage?: string | undefined;
  isWon?: boolean | undefined;
  isClosed?: boolean | undefined;
}

export interface OpportunityPage extends OpportunityFilter {
  limit: number;
  /** Rows after this (created_date, id) position in created_date desc, id desc order. */
  before?: { createdDate: Date; id: string } | undefined;
}

/**
 * Inserts many rows in one statement (unnest keeps it one round trip whatever the count).
 * With `skipExisting`, a row whose external_id is already stored is left out instead of
 * failing the whole statement; the rows actually inserted are returned.
 */
export async function insertOpportunityRows(db: Q, workspaceId: string, rows: OpportunityInsert[], skipExisting: boolean): Promise<OpportunityRow[]> {
  if (rows.length === 0) return [];
  const col = <K extends keyof OpportunityInsert>(k: K) => rows.map((r) => r[k]);
  const onConflict = skipExisting ? sql`on conflict (workspace_id, external_id) do nothing` : sql``;
  const result = await sql<OpportunityRow>`
    insert into opportunities (workspace_id, account_id, external_id, name, amount, currency, stage, is_closed, is_won, created_date, closed_date)
    select ${workspaceId}::uuid, t.* from unnest(
      ${col('account_id')}::uuid[], ${col('external_id')}::text[], ${col('name')}::text[], ${col('amount')}::numeric[],
      ${col('currency')}::text[], ${col('stage')}::text[], ${col('is_closed')}::boolean[], ${col('is_won')}::boolean[],
      ${col('created_date')}::timestamptz[], ${col('closed_date')}::timestamptz[]
    ) as t
    ${onConflict}
    returning *`.execute(db);
  return result.rows;
}

/**
 * Inserts rows, or updates the stored row with the same external_id when any value differs
 * (an import re-run with new amounts or stages). Rows already stored as given are left
 * alone and not returned; `inserted` tells new rows from updated ones. External ids must be
 * distinct within one call (PostgreSQL updates a row once per statement).
 */
export async function upsertOpportunityRows(db: Q, workspaceId: string, rows: OpportunityInsert[]): Promise<Array<OpportunityRow & { inserted: boolean }>> {
  if (rows.length === 0) return [];
  const col = <K extends keyof OpportunityInsert>(k: K) => rows.map((r) => r[k]);
  const result = await sql<OpportunityRow & { inserted: boolean }>`
    insert into opportunities as o (workspace_id, account_id, external_id, name, amount, currency, stage, is_closed, is_won, created_date, closed_date)
    select ${workspaceId}::uuid, t.* from unnest(
      ${col('account_id')}::uuid[], ${col('external_id')}::text[], ${col('name')}::text[], ${col('amount')}::numeric[],
      ${col('currency')}::text[], ${col('stage')}::text[], ${col('is_closed')}::boolean[], ${col('is_won')}::boolean[],
      ${col('created_date')}::timestamptz[], ${col('closed_date')}::timestamptz[]
    ) as t
    on conflict (workspace_id, external_id) do update set
      account_id = excluded.account_id, name = excluded.name, amount = excluded.amount, currency = excluded.currency,
      stage = excluded.stage, is_closed = excluded.is_closed, is_won = excluded.is_won,
      created_date = excluded.created_date, closed_date = excluded.closed_date, updated_at = now()
    where (o.account_id, o.name, o.amount, o.currency, o.stage, o.is_closed, o.is_won, o.created_date, o.closed_date)
      is distinct from (excluded.account_id, excluded.name, excluded.amount, excluded.currency, excluded.stage, excluded.is_closed, excluded.is_won, excluded.created_date, excluded.closed_date)
    returning o.*, (xmax = 0) as inserted`.execute(db);
  return result.rows;
}

export async function selectOpportunity(db: Q, workspaceId: string, id: string): Promise<OpportunityRow | undefined> {
  return db.selectFrom('opportunities').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

function filtered(db: Q, workspaceId: string, filter: OpportunityFilter) {
  let query = db.selectFrom('opportunities').where('workspace_id', '=', workspaceId);
  if (filter.accountId !== undefined) query = query.where('account_id', '=', filter.accountId);
  if (filter.stage !== undefined) query = query.where('stage', '=', filter.stage);
  if (filter.isWon !== undefined) query = query.where('is_won', '=', filter.isWon);
  if (filter.isClosed !== undefined) query = query.where('is_closed', '=', filter.isClosed);
  return query;
}

/** Newest first; keyset pagination on (created_date, id), stable while rows are added. */
export async function selectOpportunities(db: Q, workspaceId: string, page: OpportunityPage): Promise<OpportunityRow[]> {
  let query = filtered(db, workspaceId, page).selectAll();
  if (page.before) {
    const { createdDate, id } = page.before;
    query = query.where(sql<boolean>`(created_date, id) < (${createdDate}::timestamptz, ${id}::uuid)`);
  }
  return query.orderBy('created_date', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

export async function countOpportunityRows(db: Q, workspaceId: string, filter: OpportunityFilter): Promise<number> {
  const row = await filtered(db, workspaceId, filter)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Moves an account's opportunities to another; returns their ids (so that the move can be undone). */
export async function updateOpportunitiesAccountReturningIds(db: Q, workspaceId: string, fromAccount: string, toAccount: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    update opportunities set account_id = ${toAccount}::uuid, updated_at = now()
    where workspace_id = ${workspaceId}::uuid and account_id = ${fromAccount}::uuid returning id`.execute(db);
  return result.rows.map((r) => r.id).sort();
}

export async function restoreOpportunitiesAccount(db: Q, workspaceId: string, ids: string[], fromAccount: string, toAccount: string): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    update opportunities set account_id = ${toAccount}::uuid, updated_at = now()
    where workspace_id = ${workspaceId}::uuid and account_id = ${fromAccount}::uuid and id = any(${ids}::uuid[])`.execute(db);
}

/** Opportunities created, or closed, in [from, to) (attribution of pipeline and revenue). */
export async function selectOpportunitiesBetween(db: Q, workspaceId: string, from: Date, to: Date) {
  return db
    .selectFrom('opportunities')
    .select(['id', 'account_id', 'name', 'amount', 'currency', 'is_won', 'is_closed', 'created_date', 'closed_date'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb.and([eb('created_date', '>=', from), eb('created_date', '<', to)]), eb.and([eb('closed_date', '>=', from), eb('closed_date', '<', to)])]))
    .orderBy('created_date')
    .execute();
}
