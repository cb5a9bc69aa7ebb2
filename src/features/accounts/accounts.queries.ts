import { sql, type Kysely } from 'kysely';
import { comparableValue } from '../../platform/db/comparable-value.ts';
import type { AccountRow, Database } from '../../platform/db/schema.ts';
import type { AccountFields } from './account-fields.ts';

type Q = Kysely<Database>;

export interface AccountUpsert {
  externalId: string;
  fields: AccountFields;
  traits: Record<string, unknown>;
}

/** Upserts accounts by external id (Segment groupId); returns externalId -> account id. */
export async function upsertAccountsByExternalId(db: Q, workspaceId: string, rows: AccountUpsert[], at: Date): Promise<Map<string, string>> {
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
