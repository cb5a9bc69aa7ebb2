import { randomUUID } from 'node:crypto';
import type { IdentityKind } from '../../platform/db/schema.ts';
import { identityKey, type IdentityRef, type KnownIdentities, type PlannedConflict, type PlannedMerge } from './identity-refs.ts';

const KIND_LABEL: Record<IdentityKind, string> = { user_id: 'userId', email: 'email', anonymous_id: 'anonymousId' };

/**
 * The working state of identity resolution over one chunk: which identifier points to
 * which contact, which contacts were merged into which (a union-find), and what the
 * chunk adds. Every contact id handed out is a survivor (`find`).
 */
export class IdentityGraph {
  readonly byKey: Map<string, string>;
  readonly newContacts = new Set<string>();
  readonly newIdentities = new Map<string, IdentityRef & { contactId: string }>();
  readonly merges: PlannedMerge[] = [];
  readonly conflicts: PlannedConflict[] = [];
  readonly #userIds = new Map<string, Set<string>>();
  readonly #withEmail: Set<string>;
  readonly #redirect = new Map<string, string>();

  constructor(known: KnownIdentities) {
    this.byKey = new Map(known.byKey);
    for (const [contact, ids] of known.userIdsByContact) this.#userIds.set(contact, new Set(ids));
    this.#withEmail = new Set(known.contactsWithEmail);
  }

  find = (id: string): string => {
    let current = id;
    for (let next = this.#redirect.get(current); next; next = this.#redirect.get(current)) current = next;
    if (current !== id) this.#redirect.set(id, current);
    return current;
  };

  lookup(kind: IdentityKind, value: string): string | undefined {
    const contact = this.byKey.get(identityKey(kind, value));
    return contact ? this.find(contact) : undefined;
  }

  userIdsOf(contact: string): Set<string> {
    return this.#userIds.get(contact) ?? new Set();
  }

  mint(): string {
    const id = randomUUID();
    this.newContacts.add(id);
    return id;
  }

  attach(kind: IdentityKind, value: string, contact: string): void {
    const key = identityKey(kind, value);
    this.byKey.set(key, contact);
    this.newIdentities.set(key, { kind, value, contactId: contact });
    if (kind === 'user_id') this.#userIds.set(contact, new Set([...this.userIdsOf(contact), value]));
    if (kind === 'email') this.#withEmail.add(contact);
  }

  /** Ties one more identifier to `contact`: attach, merge or record a conflict. Returns the survivor. */
  join(contact: string, ref: IdentityRef, messageId: string): string {
    const other = this.lookup(ref.kind, ref.value);
    if (!other) {
      this.attach(ref.kind, ref.value, contact);
      return contact;
    }
    if (other === contact) return contact;
    if (this.#clash(contact, other)) {
      this.conflicts.push({
        messageId,
        kind: ref.kind,
        value: ref.value,
        contactId: contact,
        otherContactId: other,
        reason: `${KIND_LABEL[ref.kind]} "${ref.value}" belongs to a contact with a different userId; known people are never merged automatically`,
      });
      return contact;
    }
    return this.#merge(contact, other, `${KIND_LABEL[ref.kind]} "${ref.value}" seen with both contacts`, messageId);
  }

  #rank(contact: string): number {
    return this.userIdsOf(contact).size > 0 ? 2 : this.#withEmail.has(contact) ? 1 : 0;
  }

  #clash(a: string, b: string): boolean {
    const left = this.userIdsOf(a);
    const right = this.userIdsOf(b);
    return left.size > 0 && right.size > 0 && ![...left].some((id) => right.has(id));
  }

  /** Merges `other` into `primary` (or the reverse when `other` is better known); returns the survivor. */
  #merge(primary: string, other: string, reason: string, messageId: string): string {
    const [winner, loser] = this.#rank(other) > this.#rank(primary) ? [other, primary] : [primary, other];
    this.#redirect.set(loser, winner);
    this.#userIds.set(winner, new Set([...this.userIdsOf(winner), ...this.userIdsOf(loser)]));
    if (this.#withEmail.has(loser)) this.#withEmail.add(winner);
    this.merges.push({ winnerId: winner, loserId: loser, reason, messageId, loserIsNew: this.newContacts.has(loser) });
    return winner;
  }
}
