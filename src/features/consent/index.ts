export {
  DEFAULT_PAGE_TEXTS,
  getPolicies,
  hashEmail,
  isTimeZone,
  presentPolicies,
  updatePolicies,
  type PolicyChanges,
  type WorkspacePolicies,
} from './policies.service.ts';
export { createTokenSigner, signToken, tokenSignerFor, verifyToken, type TokenClaims, type TokenPurpose } from './signed-token.ts';
export { CHANNELS, createTopic, getTopicById, getTopicByKey, listTopics, updateTopic, type Channel, type Topic, type TopicInput } from './topics.service.ts';
export {
  CONSENT_SOURCES,
  LAWFUL_BASES,
  deleteConsentOfContacts,
  getConsentHistory,
  getConsentState,
  isSubscribed,
  isSubscribedState,
  listConsentedContactIds,
  listOptOutsSince,
  moveConsentToContact,
  restoreConsentToContact,
  recordConsent,
  type ConsentInput,
  type ConsentRecord,
  type ConsentSource,
  type LawfulBasis,
  type TopicState,
} from './consent.service.ts';
export {
  SUPPRESSION_REASONS,
  addSuppressions,
  countSuppressions,
  findErasedEmails,
  findSuppressionsFor,
  findSuppressionsForEmails,
  importSuppressionsCsv,
  listSuppressions,
  removeSuppression,
  replaceWithErasedHash,
  addSmsOptOut,
  deletePhoneSuppressions,
  findPhoneSuppressions,
  liftSmsOptOuts,
  type Suppression,
  type SuppressionInput,
} from './suppressions.service.ts';
export { countContactsWithoutConsent, subscribedToTopicSql } from './consent.queries.ts';
export { listRetentionPolicies } from './policies.service.ts';
export { getCachedPolicies, getCachedTopicByKey } from './send-settings.ts';
export { registerConsentRoutes } from './consent.routes.ts';
export { registerPolicyRoutes, registerSuppressionRoutes } from './suppressions.routes.ts';
