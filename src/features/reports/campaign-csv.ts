import { formatCsv } from '../../platform/csv-format.ts';
import type { DeliveryMeasures } from './campaign-delivery.ts';
import type { CampaignList, CampaignReport, VariantTest } from './campaign-report.service.ts';
import type { ProportionTest } from './proportion-test.ts';

const DELIVERY = [
  'sent', 'delivered', 'bounced', 'bounced_hard', 'bounced_soft', 'opened_unique', 'opened_total', 'human_opened_unique', 'human_opened_total', 'machine_opened_total',
  'clicked_unique', 'clicked_total', 'open_rate', 'human_open_rate', 'click_rate', 'click_to_open', 'click_to_human_open', 'unsubscribed', 'unsubscribe_rate', 'converted_recipients',
] as const satisfies ReadonlyArray<keyof DeliveryMeasures>;
const OUTCOMES = ['entered', 'converted', 'conversion_rate', 'revenue'] as const;
const TEST = ['difference', 'relative_lift', 'z', 'p_value', 'ci_low', 'ci_high'] as const satisfies ReadonlyArray<keyof ProportionTest>;
type Cell = string | number | null;

const testCells = (t: ProportionTest | undefined | null): Cell[] => TEST.map((k) => (t ? t[k] : null));

/**
 * One journey's report as one CSV table: the total row, a row per step and variant, a row
 * per variant (the holdout last). A variant row carries its conversion and click tests
 * against `compared_with` (the control; for the holdout: the treated contacts, conversion only).
 */
export function formatCampaignCsv(report: CampaignReport): string {
  const header = [
    'row', 'step_id', 'channel', 'variant', ...DELIVERY, ...OUTCOMES, 'cost', 'roi', 'compared_with',
    ...TEST.map((k) => `conversion_${k}`), ...TEST.map((k) => `click_${k}`),
  ];
  const blankOutcomes = OUTCOMES.map(() => null);
  const delivery = (m: DeliveryMeasures) => DELIVERY.map((k) => m[k]);
  const find = (variant: string, metric: VariantTest['metric']) => report.tests.find((t) => t.variant === variant && t.metric === metric);
  const rows: Cell[][] = [
    ['total', '', '', '', ...delivery(report.totals), ...OUTCOMES.map((k) => report.totals[k]), report.totals.cost, report.totals.roi, '', ...testCells(null), ...testCells(null)],
    ...report.steps.map((s) => ['step', s.step_id, s.channel, s.variant ?? '', ...delivery(s), ...blankOutcomes, null, null, '', ...testCells(null), ...testCells(null)]),
    ...report.variants.map((v) => {
      const conversion = v.holdout ? report.holdout : find(v.variant, 'conversion');
      const compared = v.holdout ? 'treated' : conversion ? report.control ?? '' : '';
      return [v.holdout ? 'holdout' : 'variant', '', '', v.variant, ...delivery(v), ...OUTCOMES.map((k) => v[k]), null, null, compared, ...testCells(conversion), ...testCells(v.holdout ? null : find(v.variant, 'click'))];
    }),
  ];
  return formatCsv(header, rows);
}

/** The campaign list as CSV: one row per journey with its totals. */
export function formatCampaignListCsv(list: CampaignList): string {
  const header = ['journey', 'name', 'state', ...DELIVERY, ...OUTCOMES, 'cost', 'roi', 'holdout_lift', 'holdout_p_value'];
  return formatCsv(header, list.journeys.map((j) => [j.key, j.name, j.state, ...DELIVERY.map((k) => j[k]), ...OUTCOMES.map((k) => j[k]), j.cost, j.roi, j.holdout_lift, j.holdout_p_value]));
}
