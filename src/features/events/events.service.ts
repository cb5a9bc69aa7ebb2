import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './events.queries.ts';

export type { EventInsert } from './events.queries.ts';

export const storeEvents = (db: Kysely<Database>, workspaceId: string, rows: q.EventInsert[]) => q.insertEvents(db, workspaceId, rows);

export const findStoredMessageIds = (db: Kysely<Database>, workspaceId: string, messageIds: string[]) =>
  q.selectStoredMessageIds(db, workspaceId, messageIds);

export const moveEventsToContact = (db: Kysely<Database>, workspaceId: string, from: string, to: string) =>
  q.updateEventsContact(db, workspaceId, from, to);

export const moveEventsOfContact = (db: Kysely<Database>, workspaceId: string, from: string, to: string) =>
  q.updateEventsContactReturningIds(db, workspaceId, from, to);

export const restoreEventsOfContact = (db: Kysely<Database>, workspaceId: string, messageIds: string[], from: string, to: string) =>
  q.restoreEventsContact(db, workspaceId, messageIds, from, to);

export type { EventFilter } from './events.queries.ts';
export const listEvents = (db: Kysely<Database>, workspaceId: string, filter: q.EventFilter) => q.selectEvents(db, workspaceId, filter);
export const countEvents = (db: Kysely<Database>, workspaceId: string) => q.countEvents(db, workspaceId);
/** Page views and the named tracks of known contacts in [from, to), by contact then time (attribution touches). */
export const listTouchEvents = (db: Kysely<Database>, workspaceId: string, range: { from: Date; to: Date; names: string[] }) => q.selectTouchEvents(db, workspaceId, range);
export type TouchEventRow = Awaited<ReturnType<typeof q.selectTouchEvents>>[number];

/**
 * The same events as `listTouchEvents`, contact by contact (each contact's events complete
 * and in time order), read in pages of `pageRows` so that memory holds one page at a time.
 */
export async function* streamTouchEventsByContact(db: Kysely<Database>, workspaceId: string, range: { from: Date; to: Date; names: string[] }, pageRows = 20_000): AsyncGenerator<{ contactId: string; events: TouchEventRow[] }> {
  let after: { contactId: string; timestamp: string; messageId: string } | null = null;
  let current: { contactId: string; events: TouchEventRow[] } | null = null;
  for (;;) {
    const page = await q.selectTouchEventsPage(db, workspaceId, range, after, pageRows);
    for (const { message_id: _id, timestamp_key: _key, ...row } of page) {
      if (current && current.contactId !== row.contact_id) {
        yield current;
        current = null;
      }
      current ??= { contactId: row.contact_id!, events: [] };
      current.events.push(row);
    }
    if (page.length < pageRows) break;
    const last = page[page.length - 1]!;
    after = { contactId: last.contact_id!, timestamp: last.timestamp_key, messageId: last.message_id };
  }
  if (current) yield current;
}

/** Privacy export: the person's events (by contact or naming one of their identifiers). */
export const listEventsOfPerson = (db: Kysely<Database>, workspaceId: string, contactIds: string[], values: string[], limit = 100_000) =>
  q.selectEventsOfPerson(db, workspaceId, contactIds, values, limit);
/** Erasure: the person's events go, with their properties, context and IPs. */
export const eraseEventsOfPerson = (db: Kysely<Database>, workspaceId: string, contactIds: string[], values: string[]) => q.deleteEventsOfPerson(db, workspaceId, contactIds, values);

/** Retention, one batch at a time; returns the events changed (0: done). */
export function applyEventRetention(db: Kysely<Database>, workspaceId: string, cutoff: Date, mode: 'delete' | 'anonymize', batch = 5_000) {
  return mode === 'delete' ? q.deleteEventsBefore(db, workspaceId, cutoff, batch) : q.anonymizeEventsBefore(db, workspaceId, cutoff, batch);
}
export const listTrackEventsAfter = q.selectTrackEventsAfter;
export const getLastEventId = q.selectLastEventId;

/** Track events naming a journey (properties.journey_id), counted per message, machine_open, type and contact. */
export const countJourneyMessageEvents = (db: Kysely<Database>, workspaceId: string, journeyId: string, names: readonly string[]) => q.countJourneyMessageEvents(db, workspaceId, journeyId, names);
export type JourneyMessageEventCount = Awaited<ReturnType<typeof q.countJourneyMessageEvents>>[number];
