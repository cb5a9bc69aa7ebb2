// The database-free half of attribution's public API: path tables (ChannelAttribution CSV),
// the models and the credits CSV. `keel attribution FILE.csv` loads only this, so that the
// whole process on 1M paths is not paying for the database, HTTP and queue modules at start-up.
export { MODEL_NAMES, MODELS_NEEDING_JOURNEY_DETAIL, parseModelName, runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
export { formatCreditsCsv, formatNumber, formatWorkspaceCsv } from './credits-csv.ts';
export type { ChannelCredits } from './credits.ts';
export { FULL_PATH, parseMilestoneWeights, U_SHAPED, W_SHAPED, validateMilestoneWeights, type MilestoneWeights } from './milestone-models.ts';
export { buildPathTable, CLOSED_WON, LEAD_CREATION, OPPORTUNITY_CREATION, type JourneyInput, type PathTable } from './path-table.ts';
export { parsePathTableCsv, readPathTableCsv } from './path-table-csv.ts';
