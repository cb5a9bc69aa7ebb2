export {
  applyContactPatches,
  countContacts,
  createBlankContacts,
  getContactCores,
  pageContactCores,
  setContactTraits,
  type ContactCore,
  getAccountsOfContact,
  getContact,
  linkContactsToAccounts,
  listContacts,
  mergeContacts,
  type ContactPatch,
  type ContactQuery,
} from './contacts.service.ts';
export { extractContactFields, normalizeEmail, type ContactFields, type ExtractedContact } from './contact-fields.ts';
