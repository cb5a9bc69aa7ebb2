import { sql, type Kysely } from 'kysely';
import { buildColumnProfileInner, buildColumnProfileSelect, readColumnProfiles, type ColumnCheck, type ColumnProfile } from '../../platform/db/column-profile.ts';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

/** The account columns a data-health report may profile. */
export const PROFILED_ACCOUNT_COLUMNS = ['domain', 'name', 'industry', 'employees', 'annual_revenue', 'country'] as const;
export type ProfiledAccountColumn = (typeof PROFILED_ACCOUNT_COLUMNS)[number];

export interface AccountQualityProfile {
  total: number;
  /** Accounts not updated since `staleBefore`. */
  stale: number;
  columns: ColumnProfile[];
}

/** One pass over the workspace's accounts: fill, validity and staleness per column. */
export async function profileAccountQuality(
  db: Q,
  workspaceId: string,
  checks: ReadonlyArray<ColumnCheck & { column: ProfiledAccountColumn }>,
  staleBefore: Date,
): Promise<AccountQualityProfile> {
  const result = await sql<Record<string, unknown>>`
    select count(*)::int as total, count(*) filter (where is_stale)::int as stale, ${buildColumnProfileSelect(checks)}
    from (
      select id, updated_at < ${staleBefore}::timestamptz as is_stale, ${buildColumnProfileInner(checks)}
      from accounts where workspace_id = ${workspaceId}::uuid
      offset 0
    ) p`.execute(db);
  const row = result.rows[0]!;
  return { total: Number(row.total), stale: Number(row.stale), columns: readColumnProfiles(checks, row) };
}

export interface AccountDuplicates {
  byDomain: number;
  /** Accounts whose name, lower-cased with punctuation and spaces removed, repeats another's. */
  byName: number;
  total: number;
  examples: Array<{ id: string; duplicate_of: string; key: string }>;
}

/** Exact duplicates among accounts by domain or squeezed name: a floor for fuzzy dedupe. */
export async function countExactDuplicateAccounts(db: Q, workspaceId: string): Promise<AccountDuplicates> {
  const result = await sql<{ by_domain: number; by_name: number; total: number; examples: AccountDuplicates['examples'] | null }>`
    with keyed as (
      select id, nullif(lower(btrim(domain)), '') as domain_key,
        nullif(regexp_replace(lower(coalesce(name, '')), '[^[:alnum:]]+', '', 'g'), '') as name_key
      from accounts where workspace_id = ${workspaceId}::uuid
    ), ranked as (
      select id, domain_key, name_key,
        case when domain_key is null then null else first_value(id) over (partition by domain_key order by id) end as first_by_domain,
        case when name_key is null then null else first_value(id) over (partition by name_key order by id) end as first_by_name
      from keyed
    )
    select count(*) filter (where first_by_domain <> id)::int as by_domain,
      count(*) filter (where first_by_name <> id)::int as by_name,
      count(*) filter (where first_by_domain <> id or first_by_name <> id)::int as total,
      (jsonb_agg(jsonb_build_object('id', id, 'duplicate_of', coalesce(nullif(first_by_domain, id), first_by_name), 'key', coalesce(case when first_by_domain <> id then domain_key end, name_key)))
        filter (where first_by_domain <> id or first_by_name <> id)) as examples
    from ranked`.execute(db);
  const row = result.rows[0]!;
  return { byDomain: row.by_domain, byName: row.by_name, total: row.total, examples: (row.examples ?? []).slice(0, 5) };
}
