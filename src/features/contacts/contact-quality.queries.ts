import { sql, type Kysely } from 'kysely';
import { buildColumnProfileInner, buildColumnProfileSelect, readColumnProfiles, type ColumnCheck, type ColumnProfile } from '../../platform/db/column-profile.ts';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

/** The contact columns a data-health report may profile. */
export const PROFILED_CONTACT_COLUMNS = ['email', 'phone', 'first_name', 'last_name', 'title', 'company', 'country', 'timezone'] as const;
export type ProfiledContactColumn = (typeof PROFILED_CONTACT_COLUMNS)[number];

export interface ContactQualityProfile {
  /** Known contacts (with a userId or an email): anonymous visitors are not profiled. */
  known: number;
  /** Known contacts not seen (events) nor updated since `staleBefore`. */
  stale: number;
  columns: ColumnProfile[];
}

/** One pass over the workspace's known contacts: fill, validity and staleness per column. */
export async function profileContactQuality(
  db: Q,
  workspaceId: string,
  checks: ReadonlyArray<ColumnCheck & { column: ProfiledContactColumn }>,
  staleBefore: Date,
): Promise<ContactQualityProfile> {
  // Known contacts as a hashed semi-join on identities (one scan), not a lookup per contact.
  const result = await sql<Record<string, unknown>>`
    select count(*)::int as known, count(*) filter (where is_stale)::int as stale, ${buildColumnProfileSelect(checks)}
    from (
      select c.id, coalesce(c.last_seen_at, c.updated_at) < ${staleBefore}::timestamptz as is_stale, ${buildColumnProfileInner(checks)}
      from contacts c
      where c.workspace_id = ${workspaceId}::uuid
        and c.id in (select i.contact_id from identities i where i.workspace_id = ${workspaceId}::uuid and i.kind in ('user_id', 'email'))
      offset 0
    ) p`.execute(db);
  const row = result.rows[0]!;
  return { known: Number(row.known), stale: Number(row.stale), columns: readColumnProfiles(checks, row) };
}

export interface ContactDuplicates {
  /** Contacts that repeat another's normalized email. */
  byEmail: number;
  /** Contacts that repeat another's first name + last name + company (case-insensitive). */
  byNameAndCompany: number;
  /** Contacts that repeat another by either key (each counted once). */
  total: number;
  examples: Array<{ id: string; duplicate_of: string; key: string }>;
}

/** Exact duplicates among contacts: a cheap floor for the rate that fuzzy dedupe finds. */
export async function countExactDuplicateContacts(db: Q, workspaceId: string): Promise<ContactDuplicates> {
  const result = await sql<{ by_email: number; by_name: number; total: number; examples: Array<{ id: string; duplicate_of: string; key: string }> | null }>`
    with keyed as (
      select id,
        nullif(lower(btrim(email)), '') as email_key,
        case when first_name is not null and last_name is not null and company is not null
          then lower(btrim(first_name)) || ' ' || lower(btrim(last_name)) || ' @ ' || lower(btrim(company)) end as name_key
      from contacts where workspace_id = ${workspaceId}::uuid
    ), ranked as (
      select id, email_key, name_key,
        case when email_key is null then null else first_value(id) over (partition by email_key order by id) end as first_by_email,
        case when name_key is null then null else first_value(id) over (partition by name_key order by id) end as first_by_name
      from keyed
    )
    select count(*) filter (where first_by_email <> id)::int as by_email,
      count(*) filter (where first_by_name <> id)::int as by_name,
      count(*) filter (where first_by_email <> id or first_by_name <> id)::int as total,
      (jsonb_agg(jsonb_build_object('id', id, 'duplicate_of', coalesce(nullif(first_by_email, id), first_by_name), 'key', coalesce(case when first_by_email <> id then email_key end, name_key)))
        filter (where first_by_email <> id or first_by_name <> id)) as examples
    from ranked`.execute(db);
  const row = result.rows[0]!;
  return { byEmail: row.by_email, byNameAndCompany: row.by_name, total: row.total, examples: (row.examples ?? []).slice(0, 5) };
}

/** Known contacts with the most blank core fields: the worst records, for a report to show. */
export async function selectLeastCompleteContacts(db: Q, workspaceId: string, columns: readonly ProfiledContactColumn[], limit: number) {
  const blanks = sql.join(columns.map((c) => sql`(nullif(btrim(${sql.ref(c)}::text), '') is null)::int`), sql` + `);
  const result = await sql<{ id: string; email: string | null; blank: number }>`
    select id, email, (${blanks})::int as blank
    from contacts c
    where c.workspace_id = ${workspaceId}::uuid
      and c.id in (select i.contact_id from identities i where i.workspace_id = ${workspaceId}::uuid and i.kind in ('user_id', 'email'))
    order by blank desc, id limit ${limit}`.execute(db);
  return result.rows;
}
