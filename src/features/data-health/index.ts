export {
  buildHealthReport,
  listHealthSnapshots,
  summarizeForSnapshot,
  takeHealthSnapshot,
  type FieldHealth,
  type HealthOptions,
  type HealthReport,
} from './data-health.service.ts';
export { createHealthSnapshotJob, takeDueHealthSnapshots, type HealthSnapshotJob } from './health-snapshot-job.ts';
export { computeHealthScore, SCORE_FORMULA, SCORE_WEIGHTS } from './health-score.ts';
export type { HealthSources } from './health-sources.ts';
export { registerDataHealthRoutes } from './data-health.routes.ts';
export { redactHealthSnapshots } from './erasure.queries.ts';
