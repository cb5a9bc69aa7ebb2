import { sql, type Insertable, type Kysely, type RawBuilder, type Updateable } from 'kysely';
import { rowBatches } from '../../platform/db/row-batches.ts';
import type { ConsentRecordsTable, Database, SubscriptionTopicsTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

const TOPIC_COLUMNS = ['id', 'key', 'name', 'description', 'channels', 'regime', 'double_opt_in', 'created_at', 'updated_at'] as const;

export const selectTopics = (db: Q, workspaceId: string) =>
  db.selectFrom('subscription_topics').select(TOPIC_COLUMNS).where('workspace_id', '=', workspaceId).orderBy('key').execute();

export const selectTopicByKey = (db: Q, workspaceId: string, key: string) =>
  db.selectFrom('subscription_topics').select(TOPIC_COLUMNS).where('workspace_id', '=', workspaceId).where('key', '=', key).executeTakeFirst();

export const selectTopicById = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('subscription_topics').select(TOPIC_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export const insertTopic = (db: Q, row: Insertable<SubscriptionTopicsTable>) =>
  db.insertInto('subscription_topics').values(row).returning(TOPIC_COLUMNS).executeTakeFirstOrThrow();

export const updateTopic = (db: Q, workspaceId: string, id: string, set: Pick<Updateable<SubscriptionTopicsTable>, 'name' | 'description' | 'channels' | 'regime' | 'double_opt_in'>) =>
  db
    .updateTable('subscription_topics')
    .set({ ...set, updated_at: new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .returning(TOPIC_COLUMNS)
    .executeTakeFirst();

const RECORD_COLUMNS = ['id', 'contact_id', 'topic_id', 'status', 'lawful_basis', 'source', 'recorded_at', 'ip', 'user_agent', 'consent_text'] as const;

/** In slices of rows (rowBatches), so a bulk record stays under the protocol's parameter limit. */
export async function insertConsentRecords(db: Q, rows: Insertable<ConsentRecordsTable>[]) {
  const stored = [];
  for (const batch of rowBatches(rows)) stored.push(...(await db.insertInto('consent_records').values(batch).returning(RECORD_COLUMNS).execute()));
  return stored;
}

/** The history of a contact, newest first. */
export const selectConsentHistory = (db: Q, workspaceId: string, contactId: string) =>
  db.selectFrom('consent_records').select(RECORD_COLUMNS).where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).orderBy('id', 'desc').execute();

/** The newest record per topic of a contact: its current state. */
export async function selectCurrentConsent(db: Q, workspaceId: string, contactId: string, topicId?: string) {
  let query = db
    .selectFrom('consent_records')
    .distinctOn('topic_id')
    .select(RECORD_COLUMNS)
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId);
  if (topicId) query = query.where('topic_id', '=', topicId);
  return query.orderBy('topic_id').orderBy('id', 'desc').execute();
}

/** Contacts whose newest record on the topic has the status (opted_in for opt-in topics). */
export async function selectContactIdsWithStatus(db: Q, workspaceId: string, topicId: string, statuses: string[], negate: boolean) {
  const rows = await sql<{ contact_id: string }>`
    select contact_id from (
      select distinct on (contact_id) contact_id, status from consent_records
      where workspace_id = ${workspaceId}::uuid and topic_id = ${topicId}::uuid
      order by contact_id, id desc
    ) latest where ${negate ? sql`not` : sql``} (status = any(${statuses}::text[]))`.execute(db);
  return rows.rows.map((r) => r.contact_id);
}

/** Merge: the loser's records move to the winner; returns the ids moved (kept so an undo moves exactly those back). */
export async function moveConsentRecords(db: Q, workspaceId: string, fromId: string, toId: string): Promise<string[]> {
  await sql`select set_config('keel.erasing', 'on', true)`.execute(db);
  const rows = await db.updateTable('consent_records').set({ contact_id: toId }).where('workspace_id', '=', workspaceId).where('contact_id', '=', fromId).returning('id').execute();
  await sql`select set_config('keel.erasing', 'off', true)`.execute(db);
  return rows.map((r) => String(r.id));
}

/** Undo of a merge: exactly the records the merge moved go back to the restored loser. */
export async function restoreConsentRecords(db: Q, workspaceId: string, ids: string[], winnerId: string, loserId: string): Promise<number> {
  if (ids.length === 0) return 0;
  await sql`select set_config('keel.erasing', 'on', true)`.execute(db);
  const result = await db
    .updateTable('consent_records')
    .set({ contact_id: loserId })
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', winnerId)
    .where('id', 'in', ids)
    .executeTakeFirst();
  await sql`select set_config('keel.erasing', 'off', true)`.execute(db);
  return Number(result.numUpdatedRows);
}

/** Erasure: removes a person's consent history (the trigger allows it only here). */
export async function deleteConsentRecordsOf(db: Q, workspaceId: string, contactIds: string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  await sql`select set_config('keel.erasing', 'on', true)`.execute(db);
  const result = await db.deleteFrom('consent_records').where('workspace_id', '=', workspaceId).where('contact_id', 'in', contactIds).executeTakeFirst();
  await sql`select set_config('keel.erasing', 'off', true)`.execute(db);
  return Number(result.numDeletedRows);
}

/**
 * Seam for segments, set-based: a boolean SQL expression "the contact `contactId` is
 * subscribed to the topic with this key", with the same rules as isSubscribedState (opt-in:
 * newest record opted_in on the basis of consent; opt-out: no record, or newest opted_in).
 * The regime is read from the topic in the same query, so the segment stays one statement.
 * An unknown topic key matches nobody.
 */
export function subscribedToTopicSql(workspaceId: string, topicKey: string, contactId: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`coalesce((
    select case when t.regime = 'opt_in' then coalesce(r.status = 'opted_in' and r.lawful_basis = 'consent', false)
                else (r.status is null or r.status = 'opted_in') end
    from subscription_topics t
    left join lateral (
      select cr.status, cr.lawful_basis from consent_records cr
      where cr.workspace_id = t.workspace_id and cr.topic_id = t.id and cr.contact_id = ${contactId}
      order by cr.id desc limit 1
    ) r on true
    where t.workspace_id = ${workspaceId}::uuid and t.key = ${topicKey}
  ), false)`;
}

/** Data health: contacts with no consent record at all (no lawful basis on file), and a few of their ids. */
export async function countContactsWithoutConsent(db: Q, workspaceId: string): Promise<{ count: number; examples: string[] }> {
  const without = sql`from contacts c where c.workspace_id = ${workspaceId}::uuid
    and not exists (select 1 from consent_records r where r.workspace_id = c.workspace_id and r.contact_id = c.id)`;
  const count = await sql<{ n: string }>`select count(*) as n ${without}`.execute(db);
  const examples = await sql<{ id: string }>`select c.id ${without} order by c.id limit 5`.execute(db);
  return { count: Number(count.rows[0]!.n), examples: examples.rows.map((r) => r.id) };
}

/** Opt-outs recorded since a moment, oldest first, with their source (the campaign report's unsubscribes). */
export const selectOptOutsSince = (db: Q, workspaceId: string, since: Date) =>
  db
    .selectFrom('consent_records')
    .select(['contact_id', 'topic_id', 'source', 'recorded_at'])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'opted_out')
    .where('recorded_at', '>=', since)
    .orderBy('recorded_at')
    .execute();
