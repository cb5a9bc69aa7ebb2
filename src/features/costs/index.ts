export { COST_COLUMNS, type CostInput, type CostProblem } from './cost-rows.ts';
export { importCostRows, importCostsCsv, listCostChannels, listCosts, listCostsInRange, type CostImportResult, type CostRow } from './costs.service.ts';
export { formatCostsCsv, registerCostRoutes } from './costs.routes.ts';
