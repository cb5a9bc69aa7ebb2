export { CONDITION_KINDS, OPERATORS, type Condition, type Operator } from './conditions.ts';
export { SegmentDefinitionSchema, parseSegmentDefinition, type SegmentDefinition } from './segment-definition.ts';
export { ScoringModelSchema, parseScoringModel, type ScoringModel } from './scoring-model.ts';
export { StageRulesSchema, parseStageRules, LIFECYCLE_DEFAULT_ORDER, type StageRules } from './stage-rules.ts';
export {
  applySegment,
  changeStaticSegmentMembers,
  compileSegmentQuery,
  deleteSegment,
  getSegment,
  listMembershipHistory,
  listSegmentMembers,
  listSegments,
  listSegmentsOfMember,
  previewSegment,
  recomputeSegments,
  type AppliedSegment,
  type SegmentPreview,
  type SegmentRow,
} from './segments.service.ts';
export { saveScoringModel } from './scoring.service.ts';
export { saveStageRules, setContactStage } from './stages.service.ts';
export { backtestModel, computeScores, deleteScoringModel, explainScores, findContactId, getAccountScores, getScoresOfContact, getScoringModel, listScoringModels } from './scoring.service.ts';
export { computeStages, countContactsByStage, getStageRules, getStagesOfContact, listStageHistory } from './stages.service.ts';
export {
  analyzeAudienceTables,
  applyScoringModel,
  applyStageRules,
  countAudienceQueue,
  deriveQueuedAudiences,
  drainAudienceQueue,
  enqueueAudienceWork,
  mergeAudienceState,
  recomputeAudiences,
  type DeriveOutcome,
} from './derivation.service.ts';
export { eventChange } from './change-sets.ts';
export { compileConsentCondition } from './consent-seam.ts';
export { registerSegmentRoutes, SEGMENT_JSON_SCHEMA } from './segments.routes.ts';
export { registerScoringRoutes, SCORING_MODEL_JSON_SCHEMA } from './scoring.routes.ts';
export { registerStageRoutes, STAGES_JSON_SCHEMA } from './stages.routes.ts';
export { AUDIENCE_MAINTENANCE, createAudienceWorker, noteAudienceWrites, type AudienceWorker, type AudienceWorkerOptions } from './audience-worker.ts';
export { eraseAudienceStateOfContacts } from './erasure.queries.ts';
export { ConditionSchema, ConsentTestSchema, EventTestSchema, FieldTestSchema, OpportunityTestSchema, ScoreTestSchema, SegmentRefSchema, StageTestSchema, formatPath } from './conditions.ts';
export { parseYamlText, toPublishedSchema, validateDocument } from './config-documents.ts';
export { selectContactsMatching } from './contact-match.queries.ts';
export { getLastMembershipChangeId, isSegmentMember, listMembershipChangesAfter } from './segments.service.ts';
export { getLastStageMoveId, listStageMovesAfter } from './stages.service.ts';
export { getLifecycleOrder, listStageReaches, streamFirstStageEntries, type ContactStageEntries } from './stage-reach.ts';
