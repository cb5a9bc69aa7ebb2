export {
  applyContactPatches,
  countContacts,
  eraseContacts,
  findContactIdsByEmail,
  createBlankContacts,
  getAccountsOfContact,
  getContact,
  linkContactsToAccounts,
  listContacts,
  mergeContacts,
  type ContactPatch,
  type ContactQuery,
} from './contacts.service.ts';
export { extractContactFields, normalizeEmail, type ContactFields } from './contact-fields.ts';
