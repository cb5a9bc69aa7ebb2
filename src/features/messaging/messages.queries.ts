import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, MessagesTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

const COLUMNS = ['id', 'contact_id', 'topic_id', 'channel', 'transport', 'kind', 'to_address', 'from_address', 'subject', 'text_body', 'html_body', 'headers', 'provider_message_id', 'sent_at'] as const;

/** Only transports call this: a row here means the message was handed over. */
export const insertMessage = (db: Q, row: Insertable<MessagesTable>) => db.insertInto('messages').values(row).returning(['id', 'sent_at']).executeTakeFirstOrThrow();

export interface MessageFilter {
  transport?: string | undefined;
  contactId?: string | undefined;
  before?: { sentAt: string; id: string } | undefined;
  limit: number;
}

export async function selectMessages(db: Q, workspaceId: string, f: MessageFilter) {
  let query = db.selectFrom('messages').select(COLUMNS).where('workspace_id', '=', workspaceId);
  if (f.transport) query = query.where('transport', '=', f.transport as never);
  if (f.contactId) query = query.where('contact_id', '=', f.contactId);
  if (f.before) query = query.where(sql<boolean>`(sent_at, id) < (${f.before.sentAt}::timestamptz, ${f.before.id}::uuid)`);
  return query.orderBy('sent_at', 'desc').orderBy('id', 'desc').limit(f.limit + 1).execute();
}

export const selectMessage = (db: Q, workspaceId: string, id: string) =>
  db.selectFrom('messages').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();

/** Marketing messages a contact got since a time (frequency caps). */
export async function countMarketingSince(db: Q, workspaceId: string, contactId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .where('kind', '=', 'marketing')
    .where('sent_at', '>=', since)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
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
