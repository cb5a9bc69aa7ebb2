export { EXPORT_SECTIONS, type DataSubject, type ExportSection } from './export-sections.ts';
export { formatCsv } from './csv-format.ts';
export {
  exportPersonalData,
  getPrivacyRequest,
  listPrivacyRequests,
  requestErasure,
  retryFailedErasures,
  runErasure,
  type PersonalDataExport,
  type PrivacyRequest,
} from './privacy.service.ts';
export { applyRetention, applyRetentionEverywhere, type RetentionOutcome } from './retention.ts';
export { createPrivacyWorker, type PrivacyWorker } from './privacy-worker.ts';
export { registerPrivacyRoutes } from './privacy.routes.ts';
