import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseModelName } from '../../features/attribution/index.ts';
import { formatCampaignCsv, formatCampaignListCsv, REVENUE_BASES, reportCampaign, reportCampaigns, type CampaignQuery, type CampaignReport, type RevenueBasis } from '../../features/reports/index.ts';
import { AppError } from '../../platform/errors.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';

interface CampaignOpts {
  workspace?: string;
  from?: string;
  to?: string;
  csv?: boolean;
  json?: boolean;
  out?: string;
  unsubscribeWindow?: string;
  revenue?: string;
  revenueWindow?: string;
  model?: string;
  currency?: string;
  control?: string;
}

function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid', `${name} must be an ISO date, got "${value}"`);
  return d;
}

function parseDays(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new AppError('invalid', `${name} must be a positive number of days, got "${value}"`);
  return n;
}

function queryOf(opts: CampaignOpts): CampaignQuery {
  if (opts.revenue !== undefined && !(REVENUE_BASES as readonly string[]).includes(opts.revenue)) throw new AppError('invalid', `--revenue must be ${REVENUE_BASES.join(' or ')}, got "${opts.revenue}"`);
  return {
    from: parseDate(opts.from, '--from'), to: parseDate(opts.to, '--to'), unsubscribeWindowDays: parseDays(opts.unsubscribeWindow, '--unsubscribe-window'),
    revenue: opts.revenue as RevenueBasis | undefined, revenueWindowDays: parseDays(opts.revenueWindow, '--revenue-window'), model: opts.model ? parseModelName(opts.model) : undefined, currency: opts.currency, control: opts.control,
  };
}

function emit(opts: CampaignOpts, text: string): void {
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
}

const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const pValue = (p: number | null) => (p === null ? '—' : p < 0.0001 ? '<0.0001' : p.toFixed(4));

/** A readable summary: totals, the steps, the variants, the tests. */
function formatCampaignText(r: CampaignReport): string {
  const t = r.totals;
  const lines = [
    `${r.journey.key} (${r.journey.name}, ${r.journey.state}) ${r.from} .. ${r.to}`,
    `  sent ${t.sent}, delivered ${t.delivered}, bounced ${t.bounced} (hard ${t.bounced_hard}, soft ${t.bounced_soft})`,
    `  opened ${t.opened_unique} unique / ${t.opened_total} total (human ${t.human_opened_unique} / ${t.human_opened_total}, machine ${t.machine_opened_total}); clicked ${t.clicked_unique} / ${t.clicked_total}; click-to-open ${pct(t.click_to_open)}`,
    `  unsubscribed ${t.unsubscribed} (within ${r.unsubscribe_window_days} days); entered ${t.entered}, converted ${t.converted} (${pct(t.conversion_rate)})`,
    `  revenue ${t.revenue ?? '—'} (${r.revenue_basis}${r.model ? `, ${r.model}` : ''}), cost ${t.cost}${r.currency ? ` ${r.currency}` : ''}, ROI ${t.roi === null ? '—' : t.roi.toFixed(2)}`,
    '',
    'step / variant: sent delivered bounced opened(human) clicked unsubscribed converted',
    ...r.steps.map((s) => `  ${s.step_id}${s.variant ? ` [${s.variant}]` : ''} (${s.channel}): ${s.sent} ${s.delivered} ${s.bounced} ${s.opened_unique}(${s.human_opened_unique}) ${s.clicked_unique} ${s.unsubscribed} ${s.converted_recipients}`),
    ...r.variants.map((v) => `  variant ${v.variant}: entered ${v.entered}, converted ${v.converted} (${pct(v.conversion_rate)}), sent ${v.sent}, clicked ${v.clicked_unique}`),
    ...r.tests.map((x) => `  ${x.metric}: ${x.variant} ${pct(x.rate)} vs ${x.control} ${pct(x.control_rate)}: diff ${pct(x.difference)} [95% CI ${pct(x.ci_low)}, ${pct(x.ci_high)}], z ${x.z?.toFixed(3) ?? '—'}, p ${pValue(x.p_value)}`),
  ];
  const h = r.holdout;
  if (h) lines.push(`  holdout lift: treated ${pct(h.treated_rate)} (${h.treated_converted}/${h.treated_entered}) vs holdout ${pct(h.holdout_rate)} (${h.holdout_converted}/${h.holdout_entered}): ${pct(h.difference)} absolute, ${h.relative_lift === null ? '—' : pct(h.relative_lift)} relative [95% CI ${pct(h.ci_low)}, ${pct(h.ci_high)}], p ${pValue(h.p_value)}`);
  return `${lines.join('\n')}\n`;
}

const options = (cmd: Command) =>
  cmd
    .option('--workspace <id>', 'workspace id')
    .option('--from <date>', 'messages sent and runs entered from (default: the journey was created)')
    .option('--to <date>', 'exclusive end (default now)')
    .option('--unsubscribe-window <days>', 'an opt-out this many days after a message counts as its unsubscribe (default 7)')
    .option('--revenue <basis>', 'won_opportunities (default) or attributed')
    .option('--revenue-window <days>', 'won_opportunities: deals closed this many days after the conversion (default 90)')
    .option('--model <name>', 'attributed: the attribution model (default linear)')
    .option('--currency <code>', 'the costs to count when the range holds several currencies')
    .option('--csv', 'CSV (RFC 4180, header row)')
    .option('--json', 'the full report as JSON')
    .option('--out <file>', 'write the report here instead of stdout');

/** `keel reports campaign KEY` and `keel reports campaigns`: the journey delivery report. */
export function registerCampaignReportCommands(reports: Command): void {
  options(reports.command('campaign <journeyKey>'))
    .option('--control <variant>', 'the variant the others are tested against (default: the first of the first split step)')
    .description('One journey per step and A/B variant (and holdout): delivery, opens (human/machine), clicks, unsubscribes, conversions, revenue, cost, ROI, z-tests and holdout lift')
    .action(async (key: string, opts: CampaignOpts) => {
      await withContext(async (ctx) => {
        const report = await reportCampaign(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), key, queryOf(opts));
        emit(opts, opts.json ? `${JSON.stringify(report, null, 2)}\n` : opts.csv ? formatCampaignCsv(report) : formatCampaignText(report));
      });
    });
  options(reports.command('campaigns'))
    .description('Every journey with its delivery totals (a table; --csv, --json)')
    .action(async (opts: CampaignOpts) => {
      await withContext(async (ctx) => {
        const list = await reportCampaigns(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), queryOf(opts));
        const text = list.journeys.map((j) => `${j.key}\t${j.state}\tsent ${j.sent}\tdelivered ${j.delivered}\topened ${j.opened_unique} (human ${j.human_opened_unique})\tclicked ${j.clicked_unique}\tconverted ${j.converted}/${j.entered}\trevenue ${j.revenue ?? '—'}\tcost ${j.cost}`).join('\n');
        emit(opts, opts.json ? `${JSON.stringify(list, null, 2)}\n` : opts.csv ? formatCampaignListCsv(list) : `${text || 'No journeys.'}\n`);
      });
    });
}
