import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export async function selectSettings(db: Q, workspaceId: string) {
  return db.selectFrom('enrichment_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export async function upsertSettings(db: Q, workspaceId: string, createAccounts: boolean, extraFreeMail: string[]): Promise<void> {
  await db
    .insertInto('enrichment_settings')
    .values({ workspace_id: workspaceId, create_accounts_from_email_domain: createAccounts, extra_free_mail_domains: extraFreeMail, updated_at: new Date() })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ create_accounts_from_email_domain: createAccounts, extra_free_mail_domains: extraFreeMail, updated_at: new Date() }))
    .execute();
}

export async function selectProviders(db: Q, workspaceId: string) {
  return db.selectFrom('enrichment_providers').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
}

export async function selectProvider(db: Q, workspaceId: string, name: string) {
  return db.selectFrom('enrichment_providers').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
}

export async function upsertProvider(db: Q, workspaceId: string, name: string, config: Record<string, unknown>, enabled: boolean): Promise<boolean> {
  const existing = await selectProvider(db, workspaceId, name);
  await db
    .insertInto('enrichment_providers')
    .values({ workspace_id: workspaceId, name, kind: 'http', config: JSON.stringify(config), enabled })
    .onConflict((oc) => oc.columns(['workspace_id', 'name']).doUpdateSet({ config: JSON.stringify(config), enabled, updated_at: new Date() }))
    .execute();
  return existing === undefined;
}

export async function deleteProvider(db: Q, workspaceId: string, name: string): Promise<boolean> {
  const result = await db.deleteFrom('enrichment_providers').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  await db.deleteFrom('enrichment_cache').where('workspace_id', '=', workspaceId).where('provider', '=', name).execute();
  return Number(result.numDeletedRows) > 0;
}

export interface CachedAnswer {
  lookup_key: string;
  status: 'hit' | 'miss';
  response: Record<string, unknown>;
}

export async function selectCached(db: Q, workspaceId: string, provider: string, keys: string[], now: Date): Promise<Map<string, CachedAnswer>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('enrichment_cache')
    .select(['lookup_key', 'status', 'response'])
    .where('workspace_id', '=', workspaceId)
    .where('provider', '=', provider)
    .where('lookup_key', 'in', keys)
    .where('expires_at', '>', now)
    .execute();
  return new Map(rows.map((r) => [r.lookup_key, r]));
}

export async function upsertCached(db: Q, workspaceId: string, provider: string, rows: CachedAnswer[], now: Date, ttlSeconds: number): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into enrichment_cache (workspace_id, provider, lookup_key, status, response, fetched_at, expires_at)
    select ${workspaceId}::uuid, ${provider}, k, s, r, ${now}::timestamptz, ${new Date(now.getTime() + ttlSeconds * 1000)}::timestamptz
    from unnest(${rows.map((r) => r.lookup_key)}::text[], ${rows.map((r) => r.status)}::text[], ${rows.map((r) => JSON.stringify(r.response))}::jsonb[]) as t(k, s, r)
    on conflict (workspace_id, provider, lookup_key) do update set
      status = excluded.status, response = excluded.response, fetched_at = excluded.fetched_at, expires_at = excluded.expires_at`.execute(db);
}
