import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import * as q from './contacts.queries.ts';

export type { ContactPatch } from './contacts.queries.ts';

export const createBlankContacts = (db: Kysely<Database>, workspaceId: string, ids: string[], at: Date) =>
  q.insertBlankContacts(db, workspaceId, ids, at);

export const applyContactPatches = (db: Kysely<Database>, workspaceId: string, patches: q.ContactPatch[], at: Date) =>
  q.updateContactPatches(db, workspaceId, patches, at);

export const mergeContacts = (db: Kysely<Database>, workspaceId: string, winnerId: string, loserId: string) =>
  q.mergeContactRows(db, workspaceId, winnerId, loserId);

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

/** Contacts of a person by email (row or identity), for privacy export and erasure. */
export const findContactIdsByEmail = (db: Kysely<Database>, workspaceId: string, email: string) => q.selectContactIdsByEmail(db, workspaceId, email.trim().toLowerCase());

/** Erasure only: removes contacts with their identities and account links. */
export const eraseContacts = (db: Kysely<Database>, workspaceId: string, ids: string[]) => q.deleteContactRows(db, workspaceId, ids);
