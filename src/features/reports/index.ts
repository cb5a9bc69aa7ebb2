// Reports over the workspace's data: the lifecycle funnel, cohorts by month of entry, and
// attributed pipeline/revenue beside imported cost (ROI), and the campaign/journey delivery
// report (per step and variant, with significance tests and holdout lift).
export { reportCohorts, reportFunnel, type CohortReport, type FunnelQuery, type FunnelReport } from './funnel.service.ts';
export { reportRoi, type RoiQuery, type RoiReport, type RoiRow } from './roi.service.ts';
export { formatCohortsCsv, formatFunnelCsv, formatRoiCsv } from './reports-csv.ts';
export { registerReportRoutes } from './reports.routes.ts';
export { reportCampaign, reportCampaigns, REVENUE_BASES, type CampaignList, type CampaignQuery, type CampaignReport, type RevenueBasis } from './campaign-report.service.ts';
export { formatCampaignCsv, formatCampaignListCsv } from './campaign-csv.ts';
export { testTwoProportions, type ProportionTest } from './proportion-test.ts';
