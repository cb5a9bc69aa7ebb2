import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './events.queries.ts';

export type { EventInsert } from './events.queries.ts';

export const storeEvents = (db: Kysely<Database>, workspaceId: string, rows: q.EventInsert[]) => q.insertEvents(db, workspaceId, rows);

export const findStoredMessageIds = (db: Kysely<Database>, workspaceId: string, messageIds: string[]) =>
  q.selectStoredMessageIds(db, workspaceId, messageIds);

export const moveEventsToContact = (db: Kysely<Database>, workspaceId: string, from: string, to: string) =>
  q.updateEventsContact(db, workspaceId, from, to);
