import { sql, type Kysely } from 'kysely';
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
