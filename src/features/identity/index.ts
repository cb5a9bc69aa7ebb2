export { eraseIdentityTraces, getAllIdentitiesOf, getConflictsOf, getIdentitiesOfContact, getMergesOfContact, listIdentityConflicts, resolveContacts } from './identity.service.ts';
export type { IdentifiedEvent, ResolutionPlan } from './identity-resolver.ts';
export { registerIdentityRoutes } from './identity.routes.ts';
