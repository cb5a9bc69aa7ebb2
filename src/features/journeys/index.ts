export type { JourneyChannelContent, JourneyEffects, JourneyMessageContext, JourneySendOutcome, JourneySendRequest } from './effects.ts';
export { JourneyDefinitionSchema, type JourneyDefinition } from './journey-definition.ts';
export { parseJourneyDefinition } from './journey-validation.ts';
export { applyJourney, enrollInJourney, getJourney, launchJourney, listJourneys, migrateRuns, setJourneyState, showJourney, type AppliedJourney } from './journeys.service.ts';
export { countJourney, listContactRuns, listRunOutcomes, type RunOutcome } from './journey-counts.ts';
export { createJourneyRuntime, STEP_BATCH_SIZE, STEP_QUEUE, type JourneyRuntime, type JourneyRuntimeOptions } from './journey-runtime.ts';
export { deleteRunsOfContacts as eraseJourneyRunsOfContacts, moveRunsToContact as moveJourneyRunsToContact, restoreRunsToContact as restoreJourneyRunsToContact } from './journeys.queries.ts';
export { JOURNEY_JSON_SCHEMA, registerJourneyRoutes } from './journeys.routes.ts';
export { simulateJourney, type SimulationReport } from './simulate.ts';
