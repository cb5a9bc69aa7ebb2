import type { IdentityKind } from '../../platform/db/schema.ts';

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

export const identityKey = (kind: IdentityKind, value: string): string => `${kind}:${value}`;
