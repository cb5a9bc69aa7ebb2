export { FIELD_KINDS, LEVEL_NAMES, type FieldKind, type FieldSpec, type InputRecord } from './engine/field-spec.ts';
export { explainPattern, matchRecords, selectScoredPairs, type FieldEvidence, type MatchOptions, type MatchRun, type MatchStats, type ScoredPair } from './engine/match-records.ts';
export { countDuplicateRecords } from './dedupe.service.ts';
export { runDedupe } from './dedupe-run.ts';
