import { sql, type Kysely } from 'kysely';
import type { Database, EventType } from '../../platform/db/schema.ts';
import { containingPatterns } from '../../platform/db/like-patterns.ts';
import { TOUCH_EVENTS, touchCandidateOf, type TouchCandidate } from './touch-candidates.ts';

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
 * whose array-literal escaping dominated the client's CPU. The same statement writes the
 * `touchpoints` rows of the events it inserted (page views and touch tracks), so an event
 * and its touchpoint commit or roll back together and a duplicate adds neither.
 */
export async function insertEvents(db: Q, workspaceId: string, rows: EventInsert[]): Promise<number> {
  if (rows.length === 0) return 0;
  const touches: Array<TouchCandidate & { message_id: string }> = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const candidate = touchCandidateOf(row);
    if (candidate && !seen.has(row.message_id)) touches.push({ message_id: row.message_id, ...candidate });
    seen.add(row.message_id);
  }
  const result = await sql<{ n: number }>`
    with inserted as (
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
      on conflict (workspace_id, message_id) do nothing
      returning message_id, contact_id, "timestamp"
    ), touched as (
      insert into touchpoints (workspace_id, message_id, contact_id, occurred_at, kind, visit, source, medium, campaign, content, term)
      select ${workspaceId}::uuid, i.message_id, i.contact_id, i."timestamp", c.kind, c.visit, c.source, c.medium, c.campaign, c.content, c.term
      from inserted i
      join json_to_recordset(${JSON.stringify(touches)}::json) as c(message_id text, kind text, visit text, source text, medium text, campaign text, content text, term text)
        on c.message_id = i.message_id
      on conflict (workspace_id, message_id) do nothing
    )
    select count(*)::int as n from inserted`.execute(db);
  return Number(result.rows[0]?.n ?? 0);
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

/**
 * One touchpoint row as attribution reads it: time in ms (truncated as a JS Date is), and
 * page views already decided: `internal` ones and `direct` ones within 30 minutes of the
 * contact's previous page view (in the range) are left out, and the direct ones kept are
 * `start` (a visit starts there).
 */
export interface TouchpointRow {
  time: number;
  kind: TouchCandidate['kind'];
  visit: TouchCandidate['visit'] | 'start';
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
}

type Packed = [number, TouchpointRow['kind'], TouchpointRow['visit'], string | null, string | null, string | null, string | null, string | null];

/** Where a page of touchpoints starts, in contact order: after a contact, or at one (inclusive). */
export type ContactBound = { after: string } | { from: string } | null;

/**
 * One page of the touchpoints of known contacts in [from, to): the first `limit` rows from
 * `bound` in (contact, time, message id) order, one result row per contact (contact order)
 * with its kept rows as one JSON array, page views decided set-based in the database (the
 * 30-minute visit rule is a window over the contact's page views); few rows and one
 * JSON.parse per contact for the client. One index scan per page and no sort: the window
 * and the grouping follow the index order. `first` and `last` are the contacts of the
 * page's first and last rows; `full` says the limit was reached, so `last` may have more
 * rows than the page holds; with `only`, the page is that one contact, whole.
 */
export async function selectTouchpointPage(db: Q, workspaceId: string, range: { from: Date; to: Date }, bound: ContactBound, limit: number, only?: string): Promise<{ contacts: Array<{ contact_id: string; touches: TouchpointRow[] }>; first: string | null; last: string | null; full: boolean }> {
  const where = only !== undefined ? sql`and contact_id = ${only}::uuid` : bound === null ? sql`` : 'after' in bound ? sql`and contact_id > ${bound.after}::uuid` : sql`and contact_id >= ${bound.from}::uuid`;
  const cap = only !== undefined ? sql`` : sql`limit ${limit}`;
  // Every contact of the page has a result row (`n`: its rows in the page), with null
  // touches when none is kept (only page views inside a visit), so that first, last and
  // the page's row count come from the result.
  const result = await sql<{ contact_id: string; n: number; touches: Packed[] | string | null }>`
    select contact_id, count(*)::int as n,
      json_agg(json_build_array(ms, kind, case when visit = 'direct' then 'start' else visit end, source, medium, campaign, content, term) order by occurred_at, message_id)
        filter (where kind <> 'page' or visit in ('tagged', 'external') or (visit = 'direct' and (previous_page_ms is null or ms - previous_page_ms >= 1800000))) as touches
    from (
      select *, max(ms) filter (where kind = 'page') over (partition by contact_id order by occurred_at, message_id rows between unbounded preceding and 1 preceding) as previous_page_ms
      from (
        select contact_id, occurred_at, message_id, kind, visit, source, medium, campaign, content, term,
          floor(extract(epoch from occurred_at) * 1000)::float8 as ms
        from touchpoints
        where workspace_id = ${workspaceId}::uuid and contact_id is not null and occurred_at >= ${range.from}::timestamptz and occurred_at < ${range.to}::timestamptz
          ${where}
        order by contact_id, occurred_at, message_id
        ${cap}
      ) page
    ) decided
    group by contact_id
    order by contact_id`.execute(db);
  const rows = result.rows;
  let pageRows = 0;
  for (const r of rows) pageRows += r.n;
  return {
    contacts: rows.flatMap((r) =>
      r.touches === null
        ? []
        : [{ contact_id: r.contact_id, touches: (typeof r.touches === 'string' ? (JSON.parse(r.touches) as Packed[]) : r.touches).map(([time, kind, visit, source, medium, campaign, content, term]) => ({ time, kind, visit, source, medium, campaign, content, term })) }],
    ),
    first: rows[0]?.contact_id ?? null,
    last: rows[rows.length - 1]?.contact_id ?? null,
    full: only === undefined && pageRows >= limit,
  };
}

/** Track events of these names by known contacts in [from, to), by contact, time and message id, with their properties (conversion values). */
export async function selectNamedTrackEvents(db: Q, workspaceId: string, range: { from: Date; to: Date; names: string[] }) {
  if (range.names.length === 0) return [];
  const result = await sql<{ contact_id: string; time: number; name: string; properties: Record<string, unknown> }>`
    select contact_id, floor(extract(epoch from "timestamp") * 1000)::float8 as time, name, properties
    from events
    where workspace_id = ${workspaceId}::uuid and type = 'track' and name = any(${range.names}::text[]) and contact_id is not null
      and "timestamp" >= ${range.from}::timestamptz and "timestamp" < ${range.to}::timestamptz
    order by contact_id, "timestamp", message_id`.execute(db);
  return result.rows;
}

/** The backfill's position in a workspace (undefined: nothing to backfill). */
export async function selectTouchpointBackfill(db: Q, workspaceId: string): Promise<{ after_message_id: string | null } | undefined> {
  return db.selectFrom('touchpoint_backfills').select('after_message_id').where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export async function selectPendingTouchpointBackfills(db: Q): Promise<string[]> {
  return (await db.selectFrom('touchpoint_backfills').select('workspace_id').orderBy('workspace_id').execute()).map((r) => r.workspace_id);
}

/** Events after a message id (primary key order) with the fields touch candidates need. */
export async function selectEventsForTouchpoints(db: Q, workspaceId: string, afterMessageId: string | null, limit: number) {
  const after = afterMessageId === null ? sql`` : sql`and message_id > ${afterMessageId}`;
  const result = await sql<{ message_id: string; type: string; name: string | null; page_url: string | null; referrer: string | null; utm_source: string | null; utm_medium: string | null; utm_campaign: string | null; utm_term: string | null; utm_content: string | null; properties: Record<string, unknown> }>`
    select message_id, type, name, page_url, referrer, utm_source, utm_medium, utm_campaign, utm_term, utm_content,
      case when type = 'track' then properties else '{}'::jsonb end as properties
    from events
    where workspace_id = ${workspaceId}::uuid ${after}
    order by message_id
    limit ${limit}`.execute(db);
  return result.rows;
}

/**
 * Writes the touchpoints of already stored events (backfill) and moves the backfill's
 * position, in the caller's transaction. The event rows are locked FOR SHARE and their
 * contact read then, so a merge, anonymization or erasure of the same events either
 * finished before (and the row is written as it left them) or waits for this commit (and
 * its trigger then updates or deletes the row written here).
 */
export async function insertBackfilledTouchpoints(db: Q, workspaceId: string, touches: Array<TouchCandidate & { message_id: string }>, afterMessageId: string): Promise<number> {
  let written = 0;
  if (touches.length > 0) {
    const result = await sql`
      insert into touchpoints (workspace_id, message_id, contact_id, occurred_at, kind, visit, source, medium, campaign, content, term)
      select e.workspace_id, e.message_id, e.contact_id, e."timestamp", c.kind, c.visit, c.source, c.medium, c.campaign, c.content, c.term
      from (
        select e.workspace_id, e.message_id, e.contact_id, e."timestamp"
        from events e
        where e.workspace_id = ${workspaceId}::uuid and e.message_id in (select x.message_id from json_to_recordset(${JSON.stringify(touches.map((t) => ({ message_id: t.message_id })))}::json) as x(message_id text))
        for share
      ) e
      join json_to_recordset(${JSON.stringify(touches)}::json) as c(message_id text, kind text, visit text, source text, medium text, campaign text, content text, term text)
        on c.message_id = e.message_id
      on conflict (workspace_id, message_id) do nothing`.execute(db);
    written = Number(result.numAffectedRows ?? 0);
  }
  await db.updateTable('touchpoint_backfills').set({ after_message_id: afterMessageId }).where('workspace_id', '=', workspaceId).execute();
  return written;
}

export async function deleteTouchpointBackfill(db: Q, workspaceId: string): Promise<void> {
  await db.deleteFrom('touchpoint_backfills').where('workspace_id', '=', workspaceId).execute();
}

/** Counts for checks: the workspace's touchpoint rows, and its events that should have one. */
export async function countTouchpointDrift(db: Q, workspaceId: string) {
  const result = await sql<{ rows: number; expected: number; wrong_contact: number; orphans: number }>`
    select
      (select count(*)::int from touchpoints where workspace_id = ${workspaceId}::uuid) as rows,
      (select count(*)::int from events where workspace_id = ${workspaceId}::uuid and (type = 'page' or (type = 'track' and name = any(${Object.keys(TOUCH_EVENTS)}::text[])))) as expected,
      (select count(*)::int from touchpoints t join events e using (workspace_id, message_id) where t.workspace_id = ${workspaceId}::uuid and t.contact_id is distinct from e.contact_id) as wrong_contact,
      (select count(*)::int from touchpoints t where t.workspace_id = ${workspaceId}::uuid and not exists (select 1 from events e where e.workspace_id = t.workspace_id and e.message_id = t.message_id)) as orphans`.execute(db);
  return result.rows[0]!;
}
