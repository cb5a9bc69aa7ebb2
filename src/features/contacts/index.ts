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
  getContactsByIds,
  linkContactsToAccounts,
  listContacts,
  mergeContacts,
  type ContactPatch,
  type ContactQuery,
} from './contacts.service.ts';
export {
  countExactDuplicateContacts,
  PROFILED_CONTACT_COLUMNS,
  profileContactQuality,
  selectLeastCompleteContacts as findLeastCompleteContacts,
  type ContactDuplicates,
  type ContactQualityProfile,
  type ProfiledContactColumn,
} from './contact-quality.queries.ts';
export { extractContactFields, normalizeEmail, type ContactFields, type ExtractedContact } from './contact-fields.ts';
