import type { IdentityKind } from '../../platform/db/schema.ts';
import { IdentityGraph } from './identity-graph.ts';
import { identityKey, type IdentityRef, type KnownIdentities, type PlannedConflict, type PlannedMerge } from './identity-refs.ts';

export { identityKey, type IdentityRef, type KnownIdentities, type PlannedConflict, type PlannedMerge } from './identity-refs.ts';

/** What the resolver needs to know of one event. */
export interface IdentifiedEvent {
  type: string;
  messageId: string;
  userId: string | null;
  anonymousId: string | null;
  email: string | null;
  /** alias: the id being aliased to userId (a former anonymousId or userId). */
  previousId: string | null;
}

export interface ResolutionPlan {
  newContactIds: string[];
  newIdentities: Array<IdentityRef & { contactId: string }>;
  merges: PlannedMerge[];
  conflicts: PlannedConflict[];
  /** Final contact id of each input event, after every merge in the chunk. */
  eventContactIds: string[];
  /** Follows merges: the surviving contact of any contact id. */
  survivorOf(contactId: string): string;
}

/**
 * Resolves a chunk of events to contacts, in order, without touching the database.
 *
 * Rules (in the spirit of Segment's identity resolution):
 * - priority userId, then email, then anonymousId: the event belongs to the contact of
 *   its highest-priority known identifier;
 * - an identifier seen for the first time is attached to that contact;
 * - an identifier already attached to another contact merges the two, unless both have
 *   a userId and the userIds differ: two known people are never merged automatically;
 *   the clash is recorded as a conflict instead;
 * - the survivor of a merge is the better-known contact (userId > email > anonymous).
 */
export function planResolution(events: IdentifiedEvent[], known: KnownIdentities): ResolutionPlan {
  const graph = new IdentityGraph(known);
  const eventContacts: string[] = [];
  for (const event of events) {
    let contact: string;
    if (event.type === 'alias' && event.userId && event.previousId) {
      contact = resolveAlias(graph, event, event.userId, event.previousId);
    } else {
      contact = resolvePrimary(graph, event);
      if (event.email) contact = graph.join(contact, { kind: 'email', value: event.email }, event.messageId);
      if (event.anonymousId) contact = graph.join(contact, { kind: 'anonymous_id', value: event.anonymousId }, event.messageId);
    }
    eventContacts.push(contact);
  }
  const find = graph.find;
  return {
    newContactIds: [...graph.newContacts].filter((id) => find(id) === id),
    newIdentities: [...graph.newIdentities.values()].map((i) => ({ ...i, contactId: find(i.contactId) })),
    merges: graph.merges.map((m) => ({ ...m, winnerId: find(m.winnerId) })),
    conflicts: graph.conflicts.map((c) => ({ ...c, contactId: find(c.contactId), otherContactId: find(c.otherContactId) })),
    eventContactIds: eventContacts.map(find),
    survivorOf: find,
  };
}

function resolvePrimary(graph: IdentityGraph, event: IdentifiedEvent): string {
  const byEmail = event.email ? graph.lookup('email', event.email) : undefined;
  const byAnonymousId = event.anonymousId ? graph.lookup('anonymous_id', event.anonymousId) : undefined;
  if (!event.userId) return byEmail ?? byAnonymousId ?? graph.mint();
  const owner = graph.lookup('user_id', event.userId);
  if (owner) return owner;
  // A new userId may belong to the contact its email or anonymousId already found,
  // unless that contact is somebody else (another userId).
  const candidate = [byEmail, byAnonymousId].find((c): c is string => c !== undefined && graph.userIdsOf(c).size === 0);
  const contact = candidate ?? graph.mint();
  graph.attach('user_id', event.userId, contact);
  return contact;
}

function resolveAlias(graph: IdentityGraph, event: IdentifiedEvent, userId: string, previousId: string): string {
  const previous = graph.lookup('user_id', previousId) ?? graph.lookup('anonymous_id', previousId);
  let contact = graph.lookup('user_id', userId);
  if (!contact) {
    contact = previous && graph.userIdsOf(previous).size === 0 ? previous : graph.mint();
    graph.attach('user_id', userId, contact);
  }
  if (!previous) {
    // An unknown previousId is taken as an anonymous id of this user (Segment's common case).
    graph.attach('anonymous_id', previousId, contact);
  } else if (previous !== contact) {
    const kind: IdentityKind = graph.byKey.has(identityKey('user_id', previousId)) ? 'user_id' : 'anonymous_id';
    contact = graph.join(contact, { kind, value: previousId }, event.messageId);
  }
  if (event.anonymousId && event.anonymousId !== previousId) {
    contact = graph.join(contact, { kind: 'anonymous_id', value: event.anonymousId }, event.messageId);
  }
  return contact;
}
