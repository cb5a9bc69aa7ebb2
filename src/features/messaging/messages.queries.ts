import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, MessageStatus, MessagesTable } from '../../platform/db/schema.ts';
import { subscribedToTopicSql } from '../consent/index.ts';

type Q = Kysely<Database>;

const COLUMNS = [
  'id', 'contact_id', 'topic_id', 'channel', 'transport', 'kind', 'to_address', 'from_address', 'subject', 'text_body', 'html_body', 'headers', 'provider_message_id', 'sent_at',
  'status', 'attempts', 'next_attempt_at', 'last_error', 'delivered_at', 'journey_id', 'journey_version', 'step_id', 'variant', 'journey_priority',
] as const;

/**
 * Only transports call this: a row here means the message was handed over (or, with
 * status retrying, claimed for its first attempt). The primary key refuses a second row
 * with the caller's messageId, before any provider sees the message.
 */
export const insertMessage = (db: Q, row: Insertable<MessagesTable>) => db.insertInto('messages').values(row).returning(['id', 'sent_at']).executeTakeFirstOrThrow();

/**
 * The rows of a batch in one statement; a row whose id exists is skipped (not overwritten):
 * the ids returned are the messages this batch may hand over, the others were sent before.
 */
export async function insertMessagesSkippingDuplicates(db: Q, rows: Insertable<MessagesTable>[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db.insertInto('messages').values(rows).onConflict((oc) => oc.doNothing()).returning('id').execute();
  return new Set(inserted.map((r) => r.id));
}

/** The first attempts of a batch that went out, recorded in one statement. */
export async function markMessagesSent(db: Q, workspaceId: string, sent: ReadonlyArray<{ id: string; providerMessageId: string | null; deliveredAt: Date }>): Promise<void> {
  if (sent.length === 0) return;
  const values = sql.join(sent.map((s) => sql`(${s.id}::uuid, ${s.providerMessageId}::text, ${s.deliveredAt}::timestamptz)`));
  await sql`
    update messages m set status = 'sent', attempts = m.attempts + 1, next_attempt_at = null, last_error = null,
      delivered_at = v.at, provider_message_id = v.pid
    from (values ${values}) as v(id, pid, at)
    where m.workspace_id = ${workspaceId}::uuid and m.id = v.id`.execute(db);
}

/** Which of these contacts are subscribed to the topic (the consent seam's rule, one statement for all). */
export async function selectSubscribedContactIds(db: Q, workspaceId: string, topicKey: string, contactIds: readonly string[]): Promise<Set<string>> {
  if (contactIds.length === 0) return new Set();
  const values = sql.join(contactIds.map((id) => sql`(${id}::uuid)`));
  const rows = await sql<{ id: string }>`select v.id from (values ${values}) as v(id) where ${subscribedToTopicSql(workspaceId, topicKey, sql`v.id`)}`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}

export const updateMessage = (db: Q, workspaceId: string, id: string, set: Updateable<MessagesTable>) =>
  db.updateTable('messages').set(set).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export interface MessageFilter {
  transport?: string | undefined;
  contactId?: string | undefined;
  channel?: string | undefined;
  status?: MessageStatus | undefined;
  journeyId?: string | undefined;
  stepId?: string | undefined;
  before?: { sentAt: string; id: string } | undefined;
  limit: number;
}

export async function selectMessages(db: Q, workspaceId: string, f: MessageFilter) {
  let query = db.selectFrom('messages').select(COLUMNS).where('workspace_id', '=', workspaceId);
  if (f.transport) query = query.where('transport', '=', f.transport as never);
  if (f.contactId) query = query.where('contact_id', '=', f.contactId);
  if (f.channel) query = query.where('channel', '=', f.channel);
  if (f.status) query = query.where('status', '=', f.status);
  if (f.journeyId) query = query.where('journey_id', '=', f.journeyId);
  if (f.stepId) query = query.where('step_id', '=', f.stepId);
  if (f.before) query = query.where(sql<boolean>`(sent_at, id) < (${f.before.sentAt}::timestamptz, ${f.before.id}::uuid)`);
  return query.orderBy('sent_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const selectMessage = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('messages').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

export type StoredMessage = NonNullable<Awaited<ReturnType<typeof selectMessage>>> & { workspace_id: string };

/** Marketing messages to a contact since a time on email and SMS (frequency caps); bounced and dead ones did not reach them. */
export const selectRecentMarketing = (db: Q, workspaceId: string, contactId: string, since: Date) =>
  db
    .selectFrom('messages')
    .select(['channel', 'sent_at'])
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .where('kind', '=', 'marketing')
    .where('channel', 'in', ['email', 'sms'])
    .where('status', 'in', ['sent', 'retrying'])
    .where('sent_at', '>', since)
    .execute();

/** selectRecentMarketing of many contacts in one statement (frequency caps of a batch). */
export const selectRecentMarketingOfContacts = (db: Q, workspaceId: string, contactIds: readonly string[], since: Date) =>
  contactIds.length === 0
    ? Promise.resolve([])
    : db
        .selectFrom('messages')
        .select(['contact_id', 'channel', 'sent_at'])
        .where('workspace_id', '=', workspaceId)
        .where('contact_id', 'in', contactIds)
        .where('kind', '=', 'marketing')
        .where('channel', 'in', ['email', 'sms'])
        .where('status', 'in', ['sent', 'retrying'])
        .where('sent_at', '>', since)
        .execute();

/** The n-th newest message of a journey in (since, until], or null when there are fewer (throttling). */
export async function selectNthNewestJourneySend(db: Q, workspaceId: string, journeyId: string, since: Date, until: Date, n: number): Promise<Date | null> {
  const row = await db
    .selectFrom('messages')
    .select('sent_at')
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .where('sent_at', '>', since)
    .where('sent_at', '<=', until)
    .orderBy('sent_at', 'desc')
    .offset(n - 1)
    .limit(1)
    .executeTakeFirst();
  return row?.sent_at ?? null;
}

/**
 * Claims due retries across workspaces: their next_attempt_at moves `leaseMs` ahead in
 * the same statement, so two workers never take the same message and a worker that dies
 * mid-attempt leaves it to be retried after the lease.
 */
export async function claimDueMessages(db: Q, now: Date, leaseMs: number, limit: number): Promise<StoredMessage[]> {
  const result = await sql<StoredMessage>`
    update messages m set next_attempt_at = ${new Date(now.getTime() + leaseMs)}
    where (m.workspace_id, m.id) in (
      select workspace_id, id from messages
      where status = 'retrying' and next_attempt_at <= ${now}
      order by next_attempt_at limit ${limit} for update skip locked)
    returning m.*`.execute(db);
  return result.rows.map((r) => ({ ...r, sent_at: new Date(r.sent_at), next_attempt_at: r.next_attempt_at ? new Date(r.next_attempt_at) : null }));
}

/** Erasure: every message to the person, by contact or by address. */
export async function deleteMessagesOf(db: Q, workspaceId: string, contactIds: string[], email: string): Promise<number> {
  const result = await db
    .deleteFrom('messages')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb(sql`lower(to_address)`, '=', email), ...(contactIds.length ? [eb('contact_id', 'in', contactIds)] : [])]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Messages of an address (asynchronous bounces name the recipient, sometimes also our message id). */
export const selectLatestEmailTo = (db: Q, workspaceId: string, email: string) =>
  db
    .selectFrom('messages')
    .select(COLUMNS)
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', 'email')
    .where(sql<boolean>`lower(to_address) = ${email}`)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();

/** Merge: the loser's messages follow the person (caps, the contact's history, reports); returns the ids moved. */
export async function updateMessagesContactReturningIds(db: Q, workspaceId: string, from: string, to: string): Promise<string[]> {
  const rows = await db.updateTable('messages').set({ contact_id: to }).where('workspace_id', '=', workspaceId).where('contact_id', '=', from).returning('id').execute();
  return rows.map((r) => r.id);
}

/** Undo of a merge: exactly the messages the merge moved go back to the restored contact. */
export async function restoreMessagesContact(db: Q, workspaceId: string, ids: string[], winner: string, loser: string): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('messages').set({ contact_id: loser }).where('workspace_id', '=', workspaceId).where('contact_id', '=', winner).where('id', 'in', ids).execute();
}

/** The messages a journey sent (every step, channel and status), oldest first: the campaign report's base. */
export const selectJourneyMessages = (db: Q, workspaceId: string, journeyId: string) =>
  db
    .selectFrom('messages')
    .select(['id', 'contact_id', 'channel', 'status', 'step_id', 'variant', 'journey_version', 'sent_at'])
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .orderBy('sent_at')
    .orderBy('id')
    .execute();
