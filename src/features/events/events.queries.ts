import { sql, type Kysely } from 'kysely';
import type { Database, EventType } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export interface EventInsert {
  message_id: string;
  type: EventType;
  name: string | null;
  contact_id: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  properties: string;
  traits: string;
  context: string;
  page_url: string | null;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  timestamp: string;
  original_timestamp: string | null;
  sent_at: string | null;
  received_at: string;
}

/** Inserts events in one statement; a messageId already stored is skipped (de-duplication). */
export async function insertEvents(db: Q, workspaceId: string, rows: EventInsert[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <K extends keyof EventInsert>(k: K) => rows.map((r) => r[k]);
  const result = await sql`
    insert into events (workspace_id, message_id, type, name, contact_id, user_id, anonymous_id, group_id,
      properties, traits, context, page_url, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
      "timestamp", original_timestamp, sent_at, received_at)
    select ${workspaceId}::uuid, t.* from unnest(
      ${col('message_id')}::text[], ${col('type')}::text[], ${col('name')}::text[], ${col('contact_id')}::uuid[],
      ${col('user_id')}::text[], ${col('anonymous_id')}::text[], ${col('group_id')}::text[],
      ${col('properties')}::jsonb[], ${col('traits')}::jsonb[], ${col('context')}::jsonb[],
      ${col('page_url')}::text[], ${col('referrer')}::text[], ${col('utm_source')}::text[], ${col('utm_medium')}::text[],
      ${col('utm_campaign')}::text[], ${col('utm_term')}::text[], ${col('utm_content')}::text[],
      ${col('timestamp')}::timestamptz[], ${col('original_timestamp')}::timestamptz[], ${col('sent_at')}::timestamptz[],
      ${col('received_at')}::timestamptz[]
    ) as t
    on conflict (workspace_id, message_id) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function selectStoredMessageIds(db: Q, workspaceId: string, messageIds: string[]): Promise<Set<string>> {
  if (messageIds.length === 0) return new Set();
  const result = await sql<{ message_id: string }>`
    select message_id from events where workspace_id = ${workspaceId}::uuid and message_id = any(${messageIds}::text[])`.execute(db);
  return new Set(result.rows.map((r) => r.message_id));
}

export async function updateEventsContact(db: Q, workspaceId: string, fromContact: string, toContact: string): Promise<number> {
  const result = await db
    .updateTable('events')
    .set({ contact_id: toContact })
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', fromContact)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface EventFilter {
  contactId?: string | undefined;
  type?: EventType | undefined;
  name?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  after?: { timestamp: string; id: string } | undefined;
}

export const EVENT_COLUMNS = [
  'id', 'message_id', 'type', 'name', 'contact_id', 'user_id', 'anonymous_id', 'group_id', 'properties', 'traits', 'context',
  'page_url', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content',
  'timestamp', 'original_timestamp', 'sent_at', 'received_at',
] as const;

/** Keyset-paginated events, newest first; limit + 1 rows signal a next page. */
export async function selectEvents(db: Q, workspaceId: string, f: EventFilter) {
  let query = db.selectFrom('events').select(EVENT_COLUMNS).where('workspace_id', '=', workspaceId);
  if (f.contactId) query = query.where('contact_id', '=', f.contactId);
  if (f.type) query = query.where('type', '=', f.type);
  if (f.name) query = query.where('name', '=', f.name);
  if (f.from) query = query.where('timestamp', '>=', f.from);
  if (f.to) query = query.where('timestamp', '<', f.to);
  if (f.after) query = query.where(sql<boolean>`("timestamp", id) < (${f.after.timestamp}::timestamptz, ${f.after.id}::bigint)`);
  return query.orderBy('timestamp', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export async function countEvents(db: Q, workspaceId: string): Promise<number> {
  const row = await sql<{ n: number }>`select count(*)::int as n from events where workspace_id = ${workspaceId}::uuid`.execute(db);
  return row.rows[0]?.n ?? 0;
}
