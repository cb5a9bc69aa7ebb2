export { MODEL_NAMES, MODELS_NEEDING_JOURNEY_DETAIL, parseModelName, runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
export { formatCreditsCsv, formatNumber } from './credits-csv.ts';
export type { ChannelCredits } from './credits.ts';
export { FULL_PATH, U_SHAPED, W_SHAPED, validateMilestoneWeights, type MilestoneWeights } from './milestone-models.ts';
export { buildPathTable, CLOSED_WON, LEAD_CREATION, OPPORTUNITY_CREATION, type JourneyInput, type PathTable } from './path-table.ts';
export { parsePathTableCsv, readPathTableCsv } from './path-table-csv.ts';
