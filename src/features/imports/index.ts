export { importCsv, getImportJob, listImportJobs, listImportRefusals, DEFAULT_BATCH_ROWS, type ImportRequest, type ImportSummary, type ImportProgress } from './import.service.ts';
export { exportCsv, exportContactsByIds, exportImportRefusals, type ExportKind } from './csv-export.ts';
export { exportSegmentCsv } from './segment-export.ts';
export { suggestMapping, resolveMapping, parseMapOptions, parseMappingText, IMPORT_KINDS, type HeaderMapping } from './header-mapping.ts';
export { registerImportRoutes, DEFAULT_IMPORT_MAX_BYTES } from './imports.routes.ts';
export type { Refusal } from './import-rows.ts';
export { eraseImportRefusalsMentioning } from './erasure.queries.ts';
