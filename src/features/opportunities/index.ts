export {
  countOpportunities,
  createOpportunities,
  createOpportunity,
  getOpportunity,
  listOpportunities,
  listOpportunitiesBetween,
  type OpportunityInPeriod,
  statusOf,
  statusOfStage,
  type Opportunity,
  type OpportunityFilter,
  type OpportunityInput,
  type OpportunityList,
  type OpportunityPage,
  type OpportunityStatus,
} from './opportunities.service.ts';
export { registerOpportunityRoutes } from './opportunities.routes.ts';
