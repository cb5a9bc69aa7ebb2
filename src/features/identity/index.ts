export { eraseIdentityTraces, getAllIdentitiesOf, getConflictsOf, getIdentitiesOfContact, getMergesOfContact, listIdentityConflicts, resolveContacts } from './identity.service.ts';
export type { IdentifiedEvent, ResolutionPlan } from './identity-resolver.ts';
export { registerIdentityRoutes } from './identity.routes.ts';
export { listContactMerges, mergeContactPair, undoContactMerge, type ContactMergeRequest, type ContactMergeResult, type ContactUndoResult } from './contact-merge.ts';
export { CONTACT_REFERENCES, type ContactReference } from './contact-references.ts';
