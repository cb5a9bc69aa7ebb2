import { sql, type Kysely } from 'kysely';
import type { Database, EventType } from '../../platform/db/schema.ts';
import { containingPatterns } from '../../platform/db/like-patterns.ts';

type Q = Kysely<Database>;

export interface EventInsert {
  message_id: string;
  type: EventType;
  name: string | null;
  contact_id: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  context: Record<string, unknown>;
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

/**
 * Inserts events in one statement; a messageId already stored is skipped (de-duplication).
 * The rows travel as one JSON document: measured faster than unnest() over 21 arrays,
 * whose array-literal escaping dominated the client's CPU.
 */
export async function insertEvents(db: Q, workspaceId: string, rows: EventInsert[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await sql`
    insert into events (workspace_id, message_id, type, name, contact_id, user_id, anonymous_id, group_id,
      properties, traits, context, page_url, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
      "timestamp", original_timestamp, sent_at, received_at)
    select ${workspaceId}::uuid, t.message_id, t.type, t.name, t.contact_id, t.user_id, t.anonymous_id, t.group_id,
      t.properties, t.traits, t.context, t.page_url, t.referrer, t.utm_source, t.utm_medium, t.utm_campaign, t.utm_term, t.utm_content,
      t."timestamp", t.original_timestamp, t.sent_at, t.received_at
    from json_to_recordset(${JSON.stringify(rows)}::json) as t(
      message_id text, type text, name text, contact_id uuid, user_id text, anonymous_id text, group_id text,
      properties jsonb, traits jsonb, context jsonb, page_url text, referrer text, utm_source text, utm_medium text,
      utm_campaign text, utm_term text, utm_content text, "timestamp" timestamptz, original_timestamp timestamptz,
      sent_at timestamptz, received_at timestamptz)
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

/** Moves a contact's events to another; returns the messageIds moved (so that the move can be undone). */
export async function updateEventsContactReturningIds(db: Q, workspaceId: string, fromContact: string, toContact: string): Promise<string[]> {
  const result = await sql<{ message_id: string }>`
    update events set contact_id = ${toContact}::uuid
    where workspace_id = ${workspaceId}::uuid and contact_id = ${fromContact}::uuid
    returning message_id`.execute(db);
  return result.rows.map((r) => r.message_id).sort();
}

/** Moves the given events back from `fromContact` to `toContact` (those that still belong to `fromContact`). */
export async function restoreEventsContact(db: Q, workspaceId: string, messageIds: string[], fromContact: string, toContact: string): Promise<number> {
  if (messageIds.length === 0) return 0;
  const result = await sql`
    update events set contact_id = ${toContact}::uuid
    where workspace_id = ${workspaceId}::uuid and contact_id = ${fromContact}::uuid and message_id = any(${messageIds}::text[])`.execute(db);
  return Number(result.numAffectedRows ?? 0);
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

/** Events of known contacts in [from, to) that can be touches or conversions: every page view and the named tracks; by contact, then time. */
export async function selectTouchEvents(db: Q, workspaceId: string, range: { from: Date; to: Date; names: string[] }) {
  return db
    .selectFrom('events')
    .select(['contact_id', 'timestamp', 'type', 'name', 'page_url', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'properties'])
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', 'is not', null)
    .where('timestamp', '>=', range.from)
    .where('timestamp', '<', range.to)
    .where((eb) => eb.or([eb('type', '=', 'page'), ...(range.names.length > 0 ? [eb.and([eb('type', '=', 'track'), eb('name', 'in', range.names)])] : [])]))
    .orderBy('contact_id')
    .orderBy('timestamp')
    .execute();
}

/**
 * One page of `selectTouchEvents`, in (contact, time, message id) order after `after`
 * (keyset), for reading a workspace's touches without holding them all.
 */
export async function selectTouchEventsPage(db: Q, workspaceId: string, range: { from: Date; to: Date; names: string[] }, after: { contactId: string; timestamp: string; messageId: string } | null, limit: number) {
  let query = db
    .selectFrom('events')
    // The keyset's time as text: a JS Date would drop microseconds and repeat or skip rows.
    .select(sql<string>`"timestamp"::text`.as('timestamp_key'))
    .select(['contact_id', 'timestamp', 'message_id', 'type', 'name', 'page_url', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'])
    // Touches read a page view's URL, referrer and UTM columns only: leaving its properties
    // out spares parsing the JSON of most rows.
    .select(sql<Record<string, unknown>>`case when type = 'track' then properties else '{}'::jsonb end`.as('properties'))
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', 'is not', null)
    .where('timestamp', '>=', range.from)
    .where('timestamp', '<', range.to)
    .where((eb) => eb.or([eb('type', '=', 'page'), ...(range.names.length > 0 ? [eb.and([eb('type', '=', 'track'), eb('name', 'in', range.names)])] : [])]));
  if (after) query = query.where(sql<boolean>`(contact_id, "timestamp", message_id) > (${after.contactId}::uuid, ${after.timestamp}::timestamptz, ${after.messageId})`);
  return query.orderBy('contact_id').orderBy('timestamp').orderBy('message_id').limit(limit).execute();
}

/** A person's events: theirs by contact, or naming one of their identifiers anywhere. */
export async function selectEventsOfPerson(db: Q, workspaceId: string, contactIds: string[], values: string[], limit: number) {
  return db.selectFrom('events').select(EVENT_COLUMNS).where('workspace_id', '=', workspaceId).where(personMatch(contactIds, values)).orderBy('timestamp').limit(limit).execute();
}

function personMatch(contactIds: string[], values: string[]) {
  const patterns = containingPatterns(values);
  return sql<boolean>`(
    ${contactIds.length ? sql`contact_id = any(${contactIds}::uuid[])` : sql`false`}
    or user_id = any(${values}::text[]) or anonymous_id = any(${values}::text[])
    or ${patterns.length ? sql`(properties::text ilike any(${patterns}::text[]) or traits::text ilike any(${patterns}::text[]) or context::text ilike any(${patterns}::text[]))` : sql`false`})`;
}

export async function deleteEventsOfPerson(db: Q, workspaceId: string, contactIds: string[], values: string[]): Promise<number> {
  const result = await db.deleteFrom('events').where('workspace_id', '=', workspaceId).where(personMatch(contactIds, values)).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Retention: removes up to `batch` events older than the cutoff. */
export async function deleteEventsBefore(db: Q, workspaceId: string, cutoff: Date, batch: number): Promise<number> {
  const result = await sql`
    delete from events where workspace_id = ${workspaceId}::uuid and message_id in (
      select message_id from events where workspace_id = ${workspaceId}::uuid and "timestamp" < ${cutoff}::timestamptz limit ${batch})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Retention: strips who and what (ids, properties, traits, context, URLs) from up to `batch` old events; the name, type, time and UTM stay for reports. */
export async function anonymizeEventsBefore(db: Q, workspaceId: string, cutoff: Date, batch: number): Promise<number> {
  const result = await sql`
    update events set contact_id = null, user_id = null, anonymous_id = null, properties = '{}', traits = '{}', context = '{}', page_url = null, referrer = null
    where workspace_id = ${workspaceId}::uuid and message_id in (
      select message_id from events where workspace_id = ${workspaceId}::uuid and "timestamp" < ${cutoff}::timestamptz
        and (contact_id is not null or user_id is not null or anonymous_id is not null or context <> '{}'::jsonb or properties <> '{}'::jsonb or traits <> '{}'::jsonb or page_url is not null)
      limit ${batch})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** Track events stored after an id (ascending): the journeys' trigger and goal scan reads these. */
export const selectTrackEventsAfter = (db: Kysely<Database>, workspaceId: string, afterId: string, names: readonly string[], limit: number) =>
  db
    .selectFrom('events')
    .select(['id', 'name', 'contact_id', 'properties', 'timestamp'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '>', afterId as never)
    .where('name', 'in', names.length > 0 ? [...names] : [''])
    .where('contact_id', 'is not', null)
    .orderBy('id')
    .limit(limit)
    .execute();

/** The id of the newest stored event (a scan that starts now skips history). */
export const selectLastEventId = async (db: Kysely<Database>, workspaceId: string): Promise<string> =>
  String((await db.selectFrom('events').select((eb) => eb.fn.max('id').as('id')).where('workspace_id', '=', workspaceId).executeTakeFirst())?.id ?? 0);

/**
 * Track events of these names whose properties name the journey, counted per message id,
 * the flags `machine_open` and `type` (bounces) and contact: the campaign report's opens,
 * clicks and bounces without reading every row into memory.
 */
export async function countJourneyMessageEvents(db: Q, workspaceId: string, journeyId: string, names: readonly string[]) {
  if (names.length === 0) return [];
  const result = await sql<{ name: string; message_id: string | null; machine_open: string | null; type: string | null; contact_id: string | null; n: string }>`
    select name, properties->>'message_id' as message_id, properties->>'machine_open' as machine_open, properties->>'type' as type, contact_id, count(*) as n
    from events
    where workspace_id = ${workspaceId}::uuid and type = 'track' and name in (${sql.join(names.map((n) => sql`${n}`))})
      and properties->>'journey_id' = ${journeyId}
    group by 1, 2, 3, 4, 5`.execute(db);
  return result.rows.map((r) => ({ ...r, n: Number(r.n) }));
}
