import { randomUUID } from 'node:crypto';
import type { IdentityKind } from '../../platform/db/schema.ts';

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

export interface IdentityRef {
  kind: IdentityKind;
  value: string;
}

/** Identities already stored, and the userIds of the contacts they point to. */
export interface KnownIdentities {
  byKey: Map<string, string>;
  userIdsByContact: Map<string, Set<string>>;
  contactsWithEmail: Set<string>;
}

export interface PlannedMerge {
  winnerId: string;
  loserId: string;
  reason: string;
  messageId: string;
  /** The loser was minted in this chunk and never stored: nothing to move in the database. */
  loserIsNew: boolean;
}

export interface PlannedConflict {
  messageId: string;
  kind: IdentityKind;
  value: string;
  contactId: string;
  otherContactId: string;
  reason: string;
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

export const identityKey = (kind: IdentityKind, value: string): string => `${kind}:${value}`;

const KIND_LABEL: Record<IdentityKind, string> = { user_id: 'userId', email: 'email', anonymous_id: 'anonymousId' };

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
  const byKey = new Map(known.byKey);
  const userIds = new Map<string, Set<string>>();
  for (const [contact, ids] of known.userIdsByContact) userIds.set(contact, new Set(ids));
  const withEmail = new Set(known.contactsWithEmail);
  const redirect = new Map<string, string>();
  const newContacts = new Set<string>();
  const newIdentities = new Map<string, IdentityRef & { contactId: string }>();
  const merges: PlannedMerge[] = [];
  const conflicts: PlannedConflict[] = [];
  const eventContacts: string[] = [];

  const find = (id: string): string => {
    let current = id;
    for (let next = redirect.get(current); next; next = redirect.get(current)) current = next;
    if (current !== id) redirect.set(id, current);
    return current;
  };
  const lookup = (kind: IdentityKind, value: string): string | undefined => {
    const contact = byKey.get(identityKey(kind, value));
    return contact ? find(contact) : undefined;
  };
  const userIdsOf = (contact: string): Set<string> => userIds.get(contact) ?? new Set();
  const rank = (contact: string): number => (userIdsOf(contact).size > 0 ? 2 : withEmail.has(contact) ? 1 : 0);
  const mint = (): string => {
    const id = randomUUID();
    newContacts.add(id);
    return id;
  };
  const attach = (kind: IdentityKind, value: string, contact: string): void => {
    const key = identityKey(kind, value);
    byKey.set(key, contact);
    newIdentities.set(key, { kind, value, contactId: contact });
    if (kind === 'user_id') userIds.set(contact, new Set([...userIdsOf(contact), value]));
    if (kind === 'email') withEmail.add(contact);
  };
  const clash = (a: string, b: string): boolean => {
    const left = userIdsOf(a);
    const right = userIdsOf(b);
    return left.size > 0 && right.size > 0 && ![...left].some((id) => right.has(id));
  };
  /** Merges `other` into `primary` (or the reverse when `other` is better known); returns the survivor. */
  const merge = (primary: string, other: string, reason: string, messageId: string): string => {
    const [winner, loser] = rank(other) > rank(primary) ? [other, primary] : [primary, other];
    redirect.set(loser, winner);
    userIds.set(winner, new Set([...userIdsOf(winner), ...userIdsOf(loser)]));
    if (withEmail.has(loser)) withEmail.add(winner);
    merges.push({ winnerId: winner, loserId: loser, reason, messageId, loserIsNew: newContacts.has(loser) });
    return winner;
  };
  /** Ties one more identifier to `contact`: attach, merge or record a conflict. */
  const join = (contact: string, ref: IdentityRef, messageId: string): string => {
    const other = lookup(ref.kind, ref.value);
    if (!other) {
      attach(ref.kind, ref.value, contact);
      return contact;
    }
    if (other === contact) return contact;
    if (clash(contact, other)) {
      conflicts.push({
        messageId,
        kind: ref.kind,
        value: ref.value,
        contactId: contact,
        otherContactId: other,
        reason: `${KIND_LABEL[ref.kind]} "${ref.value}" belongs to a contact with a different userId; known people are never merged automatically`,
      });
      return contact;
    }
    return merge(contact, other, `${KIND_LABEL[ref.kind]} "${ref.value}" seen with both contacts`, messageId);
  };

  for (const event of events) {
    let contact: string;
    if (event.type === 'alias' && event.userId && event.previousId) {
      contact = resolveAlias(event);
    } else {
      contact = resolvePrimary(event);
      if (event.email) contact = join(contact, { kind: 'email', value: event.email }, event.messageId);
      if (event.anonymousId) contact = join(contact, { kind: 'anonymous_id', value: event.anonymousId }, event.messageId);
    }
    eventContacts.push(contact);
  }

  function resolvePrimary(event: IdentifiedEvent): string {
    if (event.userId) {
      const owner = lookup('user_id', event.userId);
      if (owner) return owner;
      // A new userId may belong to the contact its email or anonymousId already found,
      // unless that contact is somebody else (another userId).
      const candidates = [
        event.email ? lookup('email', event.email) : undefined,
        event.anonymousId ? lookup('anonymous_id', event.anonymousId) : undefined,
      ];
      const candidate = candidates.find((c): c is string => c !== undefined && userIdsOf(c).size === 0);
      const contact = candidate ?? mint();
      attach('user_id', event.userId, contact);
      return contact;
    }
    const existing = (event.email ? lookup('email', event.email) : undefined) ?? (event.anonymousId ? lookup('anonymous_id', event.anonymousId) : undefined);
    return existing ?? mint();
  }

  function resolveAlias(event: IdentifiedEvent): string {
    const userId = event.userId!;
    const previousId = event.previousId!;
    const previous = lookup('user_id', previousId) ?? lookup('anonymous_id', previousId);
    let contact = lookup('user_id', userId);
    if (!contact) {
      contact = previous && userIdsOf(previous).size === 0 ? previous : mint();
      attach('user_id', userId, contact);
    }
    if (!previous) {
      // An unknown previousId is taken as an anonymous id of this user (Segment's common case).
      attach('anonymous_id', previousId, contact);
    } else if (previous !== contact) {
      const kind: IdentityKind = byKey.has(identityKey('user_id', previousId)) ? 'user_id' : 'anonymous_id';
      contact = join(contact, { kind, value: previousId }, event.messageId);
    }
    if (event.anonymousId && event.anonymousId !== previousId) {
      contact = join(contact, { kind: 'anonymous_id', value: event.anonymousId }, event.messageId);
    }
    return contact;
  }

  return {
    newContactIds: [...newContacts].filter((id) => find(id) === id),
    newIdentities: [...newIdentities.values()].map((i) => ({ ...i, contactId: find(i.contactId) })),
    merges: merges.map((m) => ({ ...m, winnerId: find(m.winnerId) })),
    conflicts: conflicts.map((c) => ({ ...c, contactId: find(c.contactId), otherContactId: find(c.otherContactId) })),
    eventContactIds: eventContacts.map(find),
    survivorOf: find,
  };
}
