export {
  applyContactPatches,
  countContacts,
  createBlankContacts,
  getAccountsOfContact,
  getContact,
  linkContactsToAccounts,
  listContactAccountLinks,
  listContacts,
  mergeContacts,
  type ContactPatch,
  type ContactQuery,
} from './contacts.service.ts';
export { extractContactFields, normalizeEmail, type ContactFields } from './contact-fields.ts';
