import { sql, type Kysely } from 'kysely';
import { comparableValue } from '../../platform/db/comparable-value.ts';
import type { AccountRow, Database } from '../../platform/db/schema.ts';
import type { AccountFields } from './account-fields.ts';
import { selectAccountIdsByAliases } from './account-external-ids.queries.ts';

type Q = Kysely<Database>;

export interface AccountUpsert {
  externalId: string;
  fields: AccountFields;
  traits: Record<string, unknown>;
}

/**
 * Upserts accounts by external id (Segment groupId); returns externalId -> account id. An
 * external id an account answers to since a merge updates that account, not a new one.
 */
export async function upsertAccountsByExternalId(db: Q, workspaceId: string, rows: AccountUpsert[], at: Date): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const aliases = await selectAccountIdsByAliases(db, workspaceId, rows.map((r) => r.externalId));
  const ids = await upsertOwnExternalIds(db, workspaceId, aliases.size === 0 ? rows : rows.filter((r) => !aliases.has(r.externalId)), at);
  if (aliases.size === 0) return ids;
  // One write per account: several aliases of one survivor may come in the same chunk.
  const writes = new Map<string, AccountWrite & { id: string }>();
  for (const row of rows) {
    const id = aliases.get(row.externalId);
    if (!id) continue;
    const write = writes.get(id) ?? { id, externalId: null, fields: {}, traits: {} };
    writes.set(id, { ...write, fields: { ...write.fields, ...definedOf(row.fields) }, traits: { ...write.traits, ...row.traits } });
    ids.set(row.externalId, id);
  }
  await updateAccountRows(db, workspaceId, [...writes.values()], at);
  return ids;
}

const definedOf = (fields: AccountFields) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== null)) as AccountFields;

async function upsertOwnExternalIds(db: Q, workspaceId: string, rows: AccountUpsert[], at: Date): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const col = <K extends keyof AccountFields>(k: K) => rows.map((r) => (r.fields[k] ?? null) as AccountFields[K] | null);
  const result = await sql<{ id: string; external_id: string }>`
    insert into accounts as a (workspace_id, external_id, name, domain, industry, employees, annual_revenue, country, traits, created_at, updated_at)
    select ${workspaceId}::uuid, t.external_id, t.name, t.domain, t.industry, t.employees, t.annual_revenue, t.country, t.traits, ${at}::timestamptz, ${at}::timestamptz
    from unnest(
      ${rows.map((r) => r.externalId)}::text[], ${col('name')}::text[], ${col('domain')}::text[], ${col('industry')}::text[],
      ${col('employees')}::int[], ${col('annual_revenue')}::numeric[], ${col('country')}::text[],
      ${rows.map((r) => JSON.stringify(r.traits))}::jsonb[]
    ) as t(external_id, name, domain, industry, employees, annual_revenue, country, traits)
    on conflict (workspace_id, external_id) do update set
      name = coalesce(excluded.name, a.name),
      domain = coalesce(excluded.domain, a.domain),
      industry = coalesce(excluded.industry, a.industry),
      employees = coalesce(excluded.employees, a.employees),
      annual_revenue = coalesce(excluded.annual_revenue, a.annual_revenue),
      country = coalesce(excluded.country, a.country),
      traits = a.traits || excluded.traits,
      updated_at = excluded.updated_at
    returning id, external_id`.execute(db);
  return new Map(result.rows.map((r) => [r.external_id, r.id]));
}

export async function selectAccount(db: Q, workspaceId: string, id: string): Promise<AccountRow | undefined> {
  return db.selectFrom('accounts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export interface AccountFilter {
  domain?: string | undefined;
  q?: string | undefined;
  minEmployees?: number | undefined;
  limit: number;
  after?: { createdAt: string; id: string } | undefined;
}

export async function selectAccounts(db: Q, workspaceId: string, f: AccountFilter): Promise<AccountRow[]> {
  let query = db.selectFrom('accounts').selectAll().where('workspace_id', '=', workspaceId);
  if (f.domain) query = query.where('domain', '=', f.domain.trim().toLowerCase());
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    query = query.where(sql<boolean>`(name ilike ${pattern} or domain ilike ${pattern})`);
  }
  if (f.minEmployees !== undefined) query = query.where('employees', '>=', f.minEmployees);
  if (f.after) query = query.where(sql<boolean>`(created_at, id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export async function countAccounts(db: Q, workspaceId: string): Promise<number> {
  const row = await sql<{ n: number }>`select count(*)::int as n from accounts where workspace_id = ${workspaceId}::uuid`.execute(db);
  return row.rows[0]?.n ?? 0;
}

/** externalId -> account id for the external ids that exist in the workspace. */
export async function selectAccountIdsByExternalIds(db: Q, workspaceId: string, externalIds: string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const result = await sql<{ id: string; external_id: string }>`
    select id, external_id from accounts
    where workspace_id = ${workspaceId}::uuid and external_id = any(${externalIds}::text[])`.execute(db);
  return new Map(result.rows.map((r) => [r.external_id, r.id]));
}

/** domain -> account id; where several accounts share a domain, the oldest. */
export async function selectAccountIdsByDomains(db: Q, workspaceId: string, domains: string[]): Promise<Map<string, string>> {
  if (domains.length === 0) return new Map();
  const result = await sql<{ id: string; domain: string }>`
    select distinct on (domain) id, domain from accounts
    where workspace_id = ${workspaceId}::uuid and domain = any(${domains}::text[])
    order by domain, created_at, id`.execute(db);
  return new Map(result.rows.map((r) => [r.domain, r.id]));
}

/** New accounts with only a domain (and traits saying why they exist); returns domain -> id. */
export async function insertAccountsForDomains(db: Q, workspaceId: string, domains: string[], traits: Record<string, unknown>, at: Date): Promise<Map<string, string>> {
  if (domains.length === 0) return new Map();
  const result = await sql<{ id: string; domain: string }>`
    insert into accounts (workspace_id, domain, traits, created_at, updated_at)
    select ${workspaceId}::uuid, d, ${JSON.stringify(traits)}::jsonb, ${at}::timestamptz, ${at}::timestamptz from unnest(${domains}::text[]) as d
    returning id, domain`.execute(db);
  return new Map(result.rows.map((r) => [r.domain!, r.id]));
}

export interface AccountCore {
  id: string;
  name: string | null;
  domain: string | null;
  country: string | null;
  traits: Record<string, unknown>;
}

export async function selectAccountCores(db: Q, workspaceId: string, afterId: string | undefined, limit: number): Promise<AccountCore[]> {
  let query = db.selectFrom('accounts').select(['id', 'name', 'domain', 'country', 'traits']).where('workspace_id', '=', workspaceId);
  if (afterId) query = query.where('id', '>', afterId);
  return query.orderBy('id').limit(limit).execute();
}

export async function updateAccountTraits(db: Q, workspaceId: string, rows: Array<{ id: string; traits: Record<string, unknown> }>, removeKeys: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update accounts a set traits = (a.traits - ${[...removeKeys]}::text[]) || t.traits, updated_at = now()
    from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => JSON.stringify(r.traits))}::jsonb[]) as t(id, traits)
    where a.workspace_id = ${workspaceId}::uuid and a.id = t.id`.execute(db);
}

/** An account found by key, with the given external ids it answers to since a merge. */
export type KeyedAccountRow = AccountRow & { aliases: string[] };

/** Accounts whose external id (own, or taken over in a merge) or domain is one of those given. */
export async function selectAccountsByKeys(db: Q, workspaceId: string, externalIds: string[], domains: string[]): Promise<KeyedAccountRow[]> {
  if (externalIds.length === 0 && domains.length === 0) return [];
  // A union of three index look-ups: an OR across tables would scan every account.
  const result = await sql<KeyedAccountRow>`
    with hit as (
      select id from accounts where workspace_id = ${workspaceId}::uuid and external_id = any(${externalIds}::text[])
      union select id from accounts where workspace_id = ${workspaceId}::uuid and domain = any(${domains}::text[])
      union select account_id from account_external_ids where workspace_id = ${workspaceId}::uuid and external_id = any(${externalIds}::text[])
    )
    select a.*, coalesce((
      select array_agg(x.external_id) from account_external_ids x
      where x.workspace_id = a.workspace_id and x.account_id = a.id and x.external_id = any(${externalIds}::text[])), '{}'::text[]) as aliases
    from hit join accounts a on a.workspace_id = ${workspaceId}::uuid and a.id = hit.id`.execute(db);
  return result.rows;
}

export interface AccountWrite {
  /** Set to update that account; absent to insert a new one. */
  id?: string;
  externalId: string | null;
  fields: AccountFields;
  traits: Record<string, unknown>;
}

/** Inserts accounts (external id optional); returns their ids in input order. */
export async function insertAccountRows(db: Q, workspaceId: string, rows: AccountWrite[], at: Date): Promise<string[]> {
  if (rows.length === 0) return [];
  const col = <K extends keyof AccountFields>(k: K) => rows.map((r) => (r.fields[k] ?? null) as AccountFields[K] | null);
  const result = await sql<{ id: string; n: number }>`
    insert into accounts (workspace_id, external_id, name, domain, industry, employees, annual_revenue, country, traits, created_at, updated_at)
    select ${workspaceId}::uuid, t.external_id, t.name, t.domain, t.industry, t.employees, t.annual_revenue, t.country, t.traits, ${at}::timestamptz, ${at}::timestamptz
    from unnest(
      ${rows.map((r) => r.externalId)}::text[], ${col('name')}::text[], ${col('domain')}::text[], ${col('industry')}::text[],
      ${col('employees')}::int[], ${col('annual_revenue')}::numeric[], ${col('country')}::text[],
      ${rows.map((r) => JSON.stringify(r.traits))}::jsonb[]
    ) with ordinality as t(external_id, name, domain, industry, employees, annual_revenue, country, traits, n)
    order by t.n
    returning id`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Updates accounts by id: given values win, missing ones keep what is stored. */
export async function updateAccountRows(db: Q, workspaceId: string, rows: Array<AccountWrite & { id: string }>, at: Date): Promise<void> {
  if (rows.length === 0) return;
  const payload = rows.map((r) => ({ id: r.id, external_id: r.externalId, ...r.fields, traits: r.traits }));
  await sql`
    update accounts a set
      external_id = coalesce(a.external_id, p.external_id),
      name = coalesce(p.name, a.name), domain = coalesce(p.domain, a.domain), industry = coalesce(p.industry, a.industry),
      employees = coalesce(p.employees, a.employees), annual_revenue = coalesce(p.annual_revenue, a.annual_revenue),
      country = coalesce(p.country, a.country), traits = a.traits || p.traits, updated_at = ${at}::timestamptz
    from json_to_recordset(${JSON.stringify(payload)}::json) as p(
      id uuid, external_id text, name text, domain text, industry text, employees int, annual_revenue numeric, country text, traits jsonb)
    where a.workspace_id = ${workspaceId}::uuid and a.id = p.id`.execute(db);
}

/** What dedupe compares of every account of a workspace, oldest first. */
export async function selectAccountMatchRows(db: Q, workspaceId: string) {
  const result = await sql<{ id: string; name: string | null; domain: string | null; country: string | null; phone: string | null; address: string | null; postcode: string | null; created_at: Date }>`
    select id, name, domain, country,
      coalesce(traits->>'phone', traits->'address'->>'phone') as phone,
      coalesce(traits->'address'->>'street', traits->>'address') as address,
      coalesce(traits->'address'->>'postalCode', traits->>'postcode', traits->>'zip') as postcode,
      created_at
    from accounts where workspace_id = ${workspaceId}::uuid and (name is not null or domain is not null)
    order by created_at, id`.execute(db);
  return result.rows;
}

export const MERGEABLE_ACCOUNT_COLUMNS = ['external_id', 'domain', 'name', 'industry', 'employees', 'annual_revenue', 'country', 'traits', 'created_at'] as const;
export type MergeableAccountColumn = (typeof MERGEABLE_ACCOUNT_COLUMNS)[number];
export type AccountValues = Pick<AccountRow, MergeableAccountColumn>;
export type AccountFieldChanges = Partial<Record<MergeableAccountColumn, { before: unknown; after: unknown }>>;

/**
 * Folds account `loserId` into `winnerId`: the loser row goes (freeing its external id),
 * the winner takes `chosen`. Rows that reference the loser must have been moved before.
 */
export async function mergeAccountRows(db: Q, workspaceId: string, winnerId: string, loserId: string, choose: (winner: AccountRow, loser: AccountRow) => AccountValues) {
  const winner = await selectAccount(db, workspaceId, winnerId);
  const loser = await selectAccount(db, workspaceId, loserId);
  if (!winner || !loser) return undefined;
  const chosen = choose(winner, loser);
  const changes: AccountFieldChanges = {};
  for (const column of MERGEABLE_ACCOUNT_COLUMNS) {
    if (comparableValue(winner[column]) !== comparableValue(chosen[column])) changes[column] = { before: winner[column], after: chosen[column] };
  }
  await db.deleteFrom('accounts').where('workspace_id', '=', workspaceId).where('id', '=', loserId).execute();
  await updateAccountValues(db, workspaceId, winnerId, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.after])));
  return { winner, loser, changes };
}

async function updateAccountValues(db: Q, workspaceId: string, id: string, values: Record<string, unknown>): Promise<void> {
  if (Object.keys(values).length === 0) return;
  const set = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k === 'traits' ? JSON.stringify(v) : v]));
  await db.updateTable('accounts').set({ ...set, updated_at: new Date() }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/** Reverts a merge's changes on the surviving account, except columns that changed again since. */
export async function revertAccountFields(db: Q, workspaceId: string, id: string, changes: AccountFieldChanges): Promise<string[]> {
  const current = await selectAccount(db, workspaceId, id);
  if (!current) return [];
  const revert: Record<string, unknown> = {};
  const kept: string[] = [];
  for (const [column, change] of Object.entries(changes) as Array<[MergeableAccountColumn, { before: unknown; after: unknown }]>) {
    if (comparableValue(current[column]) === comparableValue(change.after)) revert[column] = change.before;
    else kept.push(column);
  }
  // Run before the loser is re-inserted: the survivor may hold the loser's external id.
  await updateAccountValues(db, workspaceId, id, revert);
  return kept;
}

export async function reinsertAccountRow(db: Q, workspaceId: string, snapshot: AccountRow): Promise<void> {
  const { workspace_id: _, ...row } = snapshot;
  await db.insertInto('accounts').values({ ...row, traits: JSON.stringify(snapshot.traits), workspace_id: workspaceId }).execute();
}
