import { formatCsv } from '../../platform/csv-format.ts';
import type { CohortReport, FunnelReport } from './funnel.service.ts';
import type { RoiReport } from './roi.service.ts';

/** The funnel as CSV, one row per stage. */
export function formatFunnelCsv(report: FunnelReport): string {
  return formatCsv(
    ['stage', 'reached', 'entered', 'skipped', 'next_stage', 'converted_to_next', 'conversion_rate', 'moved_on', 'median_days', 'p75_days', 'p90_days'],
    report.stages.map((s) => [s.stage, s.reached, s.entered, s.skipped, s.next_stage ?? '', s.converted_to_next, s.conversion_rate, s.days_in_stage.count, s.days_in_stage.median, s.days_in_stage.p75, s.days_in_stage.p90]),
  );
}

/** Cohorts as CSV, one row per month and later stage. */
export function formatCohortsCsv(report: CohortReport): string {
  return formatCsv(
    ['month', 'entry_stage', 'size', 'stage', 'reached', 'share', 'median_days', 'p75_days', 'p90_days'],
    report.cohorts.flatMap((c) => c.stages.map((s) => [c.month, report.entry_stage, c.size, s.stage, s.reached, s.share, s.days_from_entry.median, s.days_from_entry.p75, s.days_from_entry.p90])),
  );
}

/** ROI as CSV: the channel rows, then the campaign rows, then the total. */
export function formatRoiCsv(report: RoiReport): string {
  const measures = ['conversions', 'opportunities', 'pipeline', 'won', 'revenue', 'cost', 'roi', 'cost_per_conversion', 'cost_per_opportunity'] as const;
  const line = (dimension: string, r: RoiReport['totals']) => [dimension, r.key, ...measures.map((m) => r[m])];
  return formatCsv(['dimension', 'key', ...measures], [...report.channels.map((r) => line('channel', r)), ...report.campaigns.map((r) => line('campaign', r)), line('total', report.totals)]);
}
