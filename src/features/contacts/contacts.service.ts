import type { Kysely } from 'kysely';
import type { ContactRow, Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import * as q from './contacts.queries.ts';

export type { ContactPatch } from './contacts.queries.ts';

export const createBlankContacts = (db: Kysely<Database>, workspaceId: string, ids: string[], at: Date) =>
  q.insertBlankContacts(db, workspaceId, ids, at);

export const applyContactPatches = (db: Kysely<Database>, workspaceId: string, patches: q.ContactPatch[], at: Date) =>
  q.updateContactPatches(db, workspaceId, patches, at);

export type { ContactFieldChanges, ContactValues, MergeableContactColumn } from './contacts.queries.ts';
export { chooseWinnerFirst, MERGEABLE_CONTACT_COLUMNS } from './contacts.queries.ts';

export const mergeContacts = (
  db: Kysely<Database>,
  workspaceId: string,
  winnerId: string,
  loserId: string,
  choose?: (winner: ContactRow, loser: ContactRow) => q.ContactValues,
) => q.mergeContactRows(db, workspaceId, winnerId, loserId, choose);

export const revertContactFields = (db: Kysely<Database>, workspaceId: string, id: string, changes: q.ContactFieldChanges) =>
  q.revertContactFields(db, workspaceId, id, changes);

export const reinsertContact = (db: Kysely<Database>, workspaceId: string, snapshot: ContactRow) => q.reinsertContactRow(db, workspaceId, snapshot);

export const moveContactAccountLinks = (db: Kysely<Database>, workspaceId: string, from: string, to: string) => q.moveContactAccountLinks(db, workspaceId, from, to);

export const restoreContactAccountLinks = (
  db: Kysely<Database>,
  workspaceId: string,
  links: Array<{ account_id: string; created_at: string; winner_had: boolean }>,
  winner: string,
  loser: string,
) => q.restoreContactAccountLinks(db, workspaceId, links, winner, loser);

export const linkContactsToAccounts = (db: Kysely<Database>, workspaceId: string, links: Array<{ contactId: string; accountId: string }>) =>
  q.insertContactAccountLinks(db, workspaceId, links);

export type ContactQuery = q.ContactFilter;

export const listContacts = (db: Kysely<Database>, workspaceId: string, query: ContactQuery) => q.selectContacts(db, workspaceId, query);

export async function getContact(db: Kysely<Database>, workspaceId: string, id: string) {
  const contact = await q.selectContact(db, workspaceId, id);
  if (!contact) throw new AppError('not_found', `Contact ${id} not found`);
  return contact;
}

export const getAccountsOfContact = (db: Kysely<Database>, workspaceId: string, contactId: string) =>
  q.selectAccountsOfContact(db, workspaceId, contactId);

export const countContacts = (db: Kysely<Database>, workspaceId: string) => q.countContacts(db, workspaceId);

export type { ContactCore } from './contacts.queries.ts';

/** Core columns and traits of the given contacts (enrichment, previews). */
export const getContactCores = (db: Kysely<Database>, workspaceId: string, ids: string[]) => q.selectContactCores(db, workspaceId, { ids });

/** One page of every contact's core columns, in id order: pass the last id as `afterId`. */
export const pageContactCores = (db: Kysely<Database>, workspaceId: string, afterId: string | undefined, limit: number) =>
  q.selectContactCores(db, workspaceId, { afterId, limit });

export const setContactTraits = (db: Kysely<Database>, workspaceId: string, rows: Array<{ id: string; traits: Record<string, unknown> }>, removeKeys: readonly string[] = []) =>
  q.updateContactTraits(db, workspaceId, rows, removeKeys);
export const getContactsByIds = (db: Kysely<Database>, workspaceId: string, ids: string[]) => q.selectContactsByIds(db, workspaceId, ids);
export const listContactMatchRows = (db: Kysely<Database>, workspaceId: string) => q.selectContactMatchRows(db, workspaceId);

export const moveAccountContactLinks = (db: Kysely<Database>, workspaceId: string, from: string, to: string) => q.moveAccountContactLinks(db, workspaceId, from, to);

export const restoreAccountContactLinks = (
  db: Kysely<Database>,
  workspaceId: string,
  links: Array<{ contact_id: string; created_at: string; winner_had: boolean }>,
  winner: string,
  loser: string,
) => q.restoreAccountContactLinks(db, workspaceId, links, winner, loser);
/** Which contacts belong to which accounts, for a whole workspace (account-based attribution). */
export const listContactAccountLinks = (db: Kysely<Database>, workspaceId: string) => q.selectContactAccountLinks(db, workspaceId);
/** Contacts of a person by email (row or identity), for privacy export and erasure. */
/** Contacts with this phone number in E.164 (inbound SMS). */
export const findContactIdsByPhone = (db: Kysely<Database>, workspaceId: string, phone: string) => q.selectContactIdsByPhone(db, workspaceId, phone);

export const findContactIdsByEmail = (db: Kysely<Database>, workspaceId: string, email: string) => q.selectContactIdsByEmail(db, workspaceId, email.trim().toLowerCase());

/** Erasure only: removes contacts with their identities and account links. */
export const eraseContacts = (db: Kysely<Database>, workspaceId: string, ids: string[]) => q.deleteContactRows(db, workspaceId, ids);
