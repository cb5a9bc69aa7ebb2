import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseModelName, quarterStart } from '../../features/attribution/index.ts';
import { formatCohortsCsv, formatFunnelCsv, formatRoiCsv, reportCohorts, reportFunnel, reportRoi } from '../../features/reports/index.ts';
import { AppError } from '../../platform/errors.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';
import { modelOptionsOf } from './attribution-options.ts';
import { registerCampaignReportCommands } from './reports-campaign.ts';

interface ReportOpts {
  workspace?: string;
  from?: string;
  to?: string;
  segment?: string;
  json?: boolean;
  out?: string;
}

function parseDate(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid', `${name} must be an ISO date, got "${value}"`);
  return d;
}

function emit(opts: ReportOpts, report: unknown, csv: string): void {
  const text = opts.json ? `${JSON.stringify(report, null, 2)}\n` : csv;
  if (opts.out) writeFileSync(opts.out, text);
  else process.stdout.write(text);
}

const common = (cmd: Command) =>
  cmd
    .option('--workspace <id>', 'workspace id')
    .option('--from <date>', 'range start (ISO date), inclusive')
    .option('--to <date>', 'range end (ISO date), exclusive')
    .option('--json', 'the full report as JSON instead of CSV')
    .option('--out <file>', 'write the report here instead of stdout');

/** `keel reports funnel|cohorts|roi`: the reports as CSV (RFC 4180, header row) or JSON. */
export function registerReportCommands(program: Command): void {
  const reports = program.command('reports').description('Funnel, cohorts, ROI and campaign (journey delivery) reports');
  common(reports.command('funnel'))
    .option('--segment <name>', "only this segment's contacts")
    .description('Lifecycle funnel: contacts per stage, conversion to the next stage, days in stage (median, p75, p90)')
    .action(async (opts: ReportOpts) => {
      await withContext(async (ctx) => {
        const report = await reportFunnel(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { from: parseDate(opts.from, '--from'), to: parseDate(opts.to, '--to'), segment: opts.segment });
        emit(opts, report, formatFunnelCsv(report));
      });
    });
  common(reports.command('cohorts'))
    .option('--segment <name>', "only this segment's contacts")
    .option('--entry-stage <stage>', 'the stage whose month of entry makes the cohort (default lead)')
    .description("Cohorts by month of entry: the share of each month's new leads that reached each later stage, and the days it took")
    .action(async (opts: ReportOpts & { entryStage?: string }) => {
      await withContext(async (ctx) => {
        const report = await reportCohorts(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { from: parseDate(opts.from, '--from'), to: parseDate(opts.to, '--to'), segment: opts.segment, entryStage: opts.entryStage });
        emit(opts, report, formatCohortsCsv(report));
      });
    });
  common(reports.command('roi'))
    .option('--model <name>', 'attribution model (keel attribution --help)', 'linear')
    .option('--min-employees <n>', 'only accounts with at least n employees (1000: enterprise)')
    .option('--currency <code>', 'the costs to count when the range holds several currencies')
    .option('--lookback <days>', 'days of touches before each conversion (default 90)')
    .option('--order <k>', 'markov order')
    .option('--half-life <days>', 'time-decay half-life')
    .option('--weights <list>', 'custom model weights')
    .description('Attributed pipeline, revenue, imported cost, ROI and cost per conversion per channel and campaign (default range: last quarter)')
    .action(async (opts: ReportOpts & { model: string; minEmployees?: string; currency?: string; lookback?: string; order?: string; halfLife?: string; weights?: string }) => {
      const { lookbackDays, ...options } = modelOptionsOf(opts);
      const minEmployees = opts.minEmployees === undefined ? undefined : Number(opts.minEmployees);
      if (minEmployees !== undefined && !Number.isInteger(minEmployees)) throw new AppError('invalid', `--min-employees must be a whole number, got "${opts.minEmployees}"`);
      const now = new Date();
      await withContext(async (ctx) => {
        const report = await reportRoi(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), {
          model: parseModelName(opts.model), from: parseDate(opts.from, '--from') ?? quarterStart(now, 1), to: parseDate(opts.to, '--to') ?? quarterStart(now, 0), minEmployees, currency: opts.currency, lookbackDays, options,
        });
        emit(opts, report, formatRoiCsv(report));
      });
    });
  registerCampaignReportCommands(reports);
}
