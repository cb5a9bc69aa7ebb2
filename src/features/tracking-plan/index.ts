export { checkEventsAgainstTrackingPlan, type BlockedEvent, type PlanCheckOutcome } from './plan-check.ts';
export { checkEventAgainstPlan, compileTrackingPlan, type CompiledPlan, type Finding, type PlanEvent } from './plan-compiler.ts';
export { parseTrackingPlanYaml } from './tracking-plan-yaml.ts';
export { buildTrackingPlanJsonSchema, PLAN_ACTIONS, RULE_KINDS, TrackingPlanSchema, type Action, type RuleKind, type TrackingPlan } from './tracking-plan.schema.ts';
export {
  applyTrackingPlan,
  countViolationsByDay,
  getTrackingPlan,
  listTrackingPlanVersions,
  listUnknowns,
  listViolations,
  summarizeViolations,
  type AppliedPlan,
  type ViolationSummary,
} from './tracking-plan.service.ts';
export { registerTrackingPlanRoutes } from './tracking-plan.routes.ts';
export { eraseTrackingPlanTraces } from './erasure.queries.ts';
