// Reports over the workspace's data: the lifecycle funnel, cohorts by month of entry, and
// attributed pipeline/revenue beside imported cost (ROI). The campaign/journey delivery
// report joins them here (campaign-delivery.service.ts) when journeys are merged.
export { reportCohorts, reportFunnel, type CohortReport, type FunnelQuery, type FunnelReport } from './funnel.service.ts';
export { reportRoi, type RoiQuery, type RoiReport, type RoiRow } from './roi.service.ts';
export { formatCohortsCsv, formatFunnelCsv, formatRoiCsv } from './reports-csv.ts';
export { registerReportRoutes } from './reports.routes.ts';
