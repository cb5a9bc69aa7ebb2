export { applyContactPatches, createBlankContacts, linkContactsToAccounts, mergeContacts, type ContactPatch } from './contacts.service.ts';
export { extractContactFields, normalizeEmail, type ContactFields } from './contact-fields.ts';
