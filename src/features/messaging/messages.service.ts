import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './messages.queries.ts';

export type MessageFilter = q.MessageFilter;
export type Message = Awaited<ReturnType<typeof q.selectMessages>>[number];

/** Messages handed to transports (the outbox among them), newest first; filter by channel, status, journey. */
export async function listMessages(db: Kysely<Database>, workspaceId: string, filter: MessageFilter) {
  const rows = await q.selectMessages(db, workspaceId, filter);
  const items = rows.slice(0, filter.limit);
  const last = items.at(-1);
  return { items, next: rows.length > filter.limit && last ? { sentAt: last.sent_at.toISOString(), id: last.id } : null };
}

/** The dead-letter list: messages whose retries ran out or that were refused for good. */
export const listDeadLetters = (db: Kysely<Database>, workspaceId: string, filter: Omit<MessageFilter, 'status'>) => listMessages(db, workspaceId, { ...filter, status: 'dead' });

export async function getMessage(db: Kysely<Database>, workspaceId: string, id: string): Promise<Message> {
  const row = /^[0-9a-f-]{36}$/i.test(id) ? await q.selectMessage(db, workspaceId, id) : undefined;
  if (!row) throw new AppError('not_found', `Message ${JSON.stringify(id)} not found`);
  return row;
}

/** Erasure: the person's message log goes. */
export const deleteMessagesOfPerson = (db: Kysely<Database>, workspaceId: string, contactIds: string[], email: string) => q.deleteMessagesOf(db, workspaceId, contactIds, email);

/** Contact merges (identity's CONTACT_REFERENCES): the message log follows the surviving contact. */
export const moveMessagesToContact = (db: Kysely<Database>, workspaceId: string, from: string, to: string) => q.updateMessagesContactReturningIds(db, workspaceId, from, to);
export const restoreMessagesToContact = (db: Kysely<Database>, workspaceId: string, ids: string[], winner: string, loser: string) => q.restoreMessagesContact(db, workspaceId, ids, winner, loser);

/** A journey's messages (id, contact, channel, status, step, variant, sent_at), oldest first: for delivery reports. */
export const listJourneyMessages = (db: Kysely<Database>, workspaceId: string, journeyId: string) => q.selectJourneyMessages(db, workspaceId, journeyId);
export type JourneyMessage = Awaited<ReturnType<typeof q.selectJourneyMessages>>[number];
