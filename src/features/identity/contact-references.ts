import type { Kysely } from 'kysely';
import type { Database, IdentityKind } from '../../platform/db/schema.ts';
import type { AuditActor } from '../audit/index.ts';
import { enqueueAudienceWork, mergeAudienceState } from '../audiences/index.ts';
import { moveConsentToContact, restoreConsentToContact } from '../consent/index.ts';
import { moveContactAccountLinks, restoreContactAccountLinks } from '../contacts/index.ts';
import { moveEventsOfContact, restoreEventsOfContact } from '../events/index.ts';
import { moveJourneyRunsToContact, restoreJourneyRunsToContact } from '../journeys/index.ts';
import { moveMessagesToContact, restoreMessagesToContact } from '../messaging/index.ts';
import * as q from './identity.queries.ts';

/**
 * A table whose rows point at a contact. A merge moves the loser's rows to the winner and
 * records the keys it moved; undo moves exactly those rows back.
 */
export interface ContactReference {
  /** Name under which the moved keys are kept in contact_merges.moved_rows. */
  table: string;
  /** Moves every row of `fromContact` to `toContact`; returns the keys of the rows moved (JSON). */
  move(db: Kysely<Database>, workspaceId: string, fromContact: string, toContact: string, actor: AuditActor): Promise<unknown[]>;
  /** Moves the rows with these keys from the winner back to the restored loser. */
  restore(db: Kysely<Database>, workspaceId: string, keys: unknown[], winner: string, loser: string, actor: AuditActor): Promise<void>;
}

/**
 * THE list of tables that reference contacts. Every contact merge (identity resolution at
 * ingest, dedupe, a reviewer's accept) and every undo goes through it, so a feature that
 * adds such a table (consent records, scores, segment memberships, ...) adds one entry
 * here and its rows survive merges and undos. A table with an `on delete cascade` foreign
 * key to contacts that is missing here LOSES the loser's rows on merge.
 */
export const CONTACT_REFERENCES: readonly ContactReference[] = [
  {
    table: 'identities',
    move: (db, ws, from, to) => q.updateIdentitiesContactReturningKeys(db, ws, from, to),
    restore: (db, ws, keys, winner, loser) => q.restoreIdentitiesContact(db, ws, keys as Array<[IdentityKind, string]>, winner, loser),
  },
  {
    table: 'events',
    move: (db, ws, from, to) => moveEventsOfContact(db, ws, from, to),
    restore: async (db, ws, keys, winner, loser) => {
      await restoreEventsOfContact(db, ws, keys as string[], winner, loser);
    },
  },
  {
    // Consent history is append-only evidence: it moves to the winner (the newest record per
    // topic decides, across both histories) and an undo moves exactly those records back.
    table: 'consent_records',
    move: (db, ws, from, to, actor) => moveConsentToContact(db, ws, from, to, actor),
    restore: async (db, ws, keys, winner, loser, actor) => {
      await restoreConsentToContact(db, ws, keys as string[], winner, loser, actor);
    },
  },
  {
    // Scores, stages and memberships are derived: the loser's memberships are exited, its
    // scores dropped, the further lifecycle stage kept on the winner, and both are queued
    // for derivation. Nothing is kept to move back: an undo queues both contacts again and
    // the derivation recomputes their state from their (restored) data.
    table: 'audience_state',
    move: async (db, ws, from, to) => {
      await mergeAudienceState(db, ws, to, from);
      return [];
    },
    restore: (db, ws, _keys, winner, loser) => enqueueAudienceWork(db, ws, { contactIds: [winner, loser] }),
  },
  {
    // Journey runs follow the person (numbered after the winner's own entries); their step
    // keys use the run id, so a moved run never resends a step it already took.
    table: 'journey_runs',
    move: (db, ws, from, to) => moveJourneyRunsToContact(db, ws, from, to),
    restore: (db, ws, keys, _winner, loser) => restoreJourneyRunsToContact(db, ws, keys as string[], loser),
  },
  {
    // The message log follows the person: frequency caps count both histories, and the
    // campaign reports join messages to the surviving contact's conversions.
    table: 'messages',
    move: (db, ws, from, to) => moveMessagesToContact(db, ws, from, to),
    restore: (db, ws, keys, winner, loser) => restoreMessagesToContact(db, ws, keys as string[], winner, loser),
  },
  {
    table: 'contact_accounts',
    move: (db, ws, from, to) => moveContactAccountLinks(db, ws, from, to),
    restore: (db, ws, keys, winner, loser) => restoreContactAccountLinks(db, ws, keys as Array<{ account_id: string; created_at: string; winner_had: boolean }>, winner, loser),
  },
];
