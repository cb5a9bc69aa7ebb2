export {
  applyContactPatches,
  countContacts,
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
export {
  countExactDuplicateContacts,
  PROFILED_CONTACT_COLUMNS,
  profileContactQuality,
  selectLeastCompleteContacts as findLeastCompleteContacts,
  type ContactDuplicates,
  type ContactQualityProfile,
  type ProfiledContactColumn,
} from './contact-quality.queries.ts';
