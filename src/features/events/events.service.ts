import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './events.queries.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import { touchCandidateOf, type TouchCandidate } from './touch-candidates.ts';

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

export type TouchpointRow = q.TouchpointRow;

/**
 * A workspace's stored touchpoints of known contacts in [from, to), contact by contact
 * (contact order; each contact's rows complete and in time order, page views decided, see
 * `TouchpointRow`), read about `pageRows` rows at a time (whole contacts).
 */
export async function* streamTouchpointsByContact(db: Kysely<Database>, workspaceId: string, range: { from: Date; to: Date }, pageRows = 100_000): AsyncGenerator<{ contactId: string; rows: TouchpointRow[] }> {
  // A page ends inside its last contact when it is full: that contact is read again, whole,
  // by the next page (or alone, when it fills a page by itself). The next page is asked for
  // before this one is handed out, so that on a PostgreSQL server the database reads it
  // while the caller works on this one (on PGlite the two queue on the one connection).
  type Page = { contacts: Array<{ contact_id: string; touches: TouchpointRow[] }>; next: q.ContactBound | undefined };
  const readPage = async (bound: q.ContactBound): Promise<Page> => {
    const page = await q.selectTouchpointPage(db, workspaceId, range, bound, pageRows);
    if (!page.full || page.last === null) return { contacts: page.contacts, next: undefined };
    if (page.first !== page.last) return { contacts: page.contacts.filter((c) => c.contact_id !== page.last), next: { from: page.last } };
    // The page holds nothing but its last contact: read that contact alone, whole.
    const alone = await q.selectTouchpointPage(db, workspaceId, range, null, pageRows, page.last);
    return { contacts: alone.contacts, next: { after: page.last } };
  };
  let next: Promise<Page> | null = readPage(null);
  try {
    while (next !== null) {
      const page: Page = await next;
      next = page.next === undefined ? null : readPage(page.next);
      for (const c of page.contacts) yield { contactId: c.contact_id, rows: c.touches };
    }
  } finally {
    // A caller that stops early leaves a page in flight: settle it quietly.
    void next?.catch(() => undefined);
  }
}

/** Track events of these names by known contacts in [from, to) (conversions), by contact then time; `time` in ms. */
export const listNamedTrackEvents = (db: Kysely<Database>, workspaceId: string, range: { from: Date; to: Date; names: string[] }) => q.selectNamedTrackEvents(db, workspaceId, range);

/**
 * Writes the touchpoints of events stored before migration 0015 (the workspaces it marked
 * in `touchpoint_backfills`), `pageRows` events per transaction, resumable from where it
 * stopped; rows already there are kept (idempotent). Returns the rows written, 0 when the
 * workspace had nothing to backfill.
 */
export async function backfillTouchpoints(db: Kysely<Database>, workspaceId: string, pageRows = 5_000): Promise<{ events: number; touchpoints: number }> {
  const done = { events: 0, touchpoints: 0 };
  const state = await q.selectTouchpointBackfill(db, workspaceId);
  if (!state) return done;
  let after = state.after_message_id;
  for (;;) {
    const events = await q.selectEventsForTouchpoints(db, workspaceId, after, pageRows);
    if (events.length === 0) break;
    const touches: Array<TouchCandidate & { message_id: string }> = [];
    for (const e of events) {
      const c = touchCandidateOf(e);
      if (c) touches.push({ message_id: e.message_id, ...c });
    }
    const last = events[events.length - 1]!.message_id;
    done.touchpoints += await inTransaction(db, (trx) => q.insertBackfilledTouchpoints(trx, workspaceId, touches, last));
    done.events += events.length;
    after = last;
    if (events.length < pageRows) break;
  }
  await q.deleteTouchpointBackfill(db, workspaceId);
  return done;
}

/** Workspaces whose touchpoints backfill is still to do. */
export const listPendingTouchpointBackfills = (db: Kysely<Database>) => q.selectPendingTouchpointBackfills(db);

/** For checks: touchpoint rows, events that should have one, rows on another contact than their event, rows without event. */
export const countTouchpointDrift = (db: Kysely<Database>, workspaceId: string) => q.countTouchpointDrift(db, workspaceId);

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
