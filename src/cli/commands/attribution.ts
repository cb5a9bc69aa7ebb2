import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  attributeWorkspace,
  channelRulesJsonSchema,
  formatCreditsCsv,
  formatWorkspaceCsv,
  getAttributionSettings,
  parseChannelRulesYaml,
  parseDimension,
  parseMilestoneWeights,
  parseModelName,
  readPathTableCsv,
  runAttributionModel,
  saveAttributionSettings,
  type ModelOptions,
} from '../../features/attribution/index.ts';
import { cliActor } from '../../features/audit/index.ts';
import { PERIOD_UNITS, parsePeriodUnit, type PeriodUnit } from '../../platform/calendar-periods.ts';
import { AppError } from '../../platform/errors.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';

interface AttributionOpts {
  model?: string;
  schema?: boolean;
  saveConfig?: string;
  showConfig?: boolean;
  order?: string;
  out?: string;
  halfLife?: string;
  lookback?: string;
  weights?: string;
  simulate?: string;
  seed?: string;
  shapleyValue?: string;
  shapleySamples?: string;
  notes?: boolean;
  workspace?: string;
  from?: string;
  to?: string;
  by?: string;
  period?: string;
  config?: string;
  minEmployees?: string;
  json?: boolean;
}

/** `keel attribution FILE.csv --model NAME`: the models over a ChannelAttribution path table. */
export function registerAttributionCommand(program: Command): void {
  program
    .command('attribution')
    .argument('[file]', 'ChannelAttribution path table: path (channels joined by " > "), total_conversions, total_conversion_value, total_null; leave out to attribute a workspace\'s own touchpoints')
    .option('--model <name>', 'first-touch|last-touch|last-non-direct|linear|time-decay|position-based|u-shaped|w-shaped|full-path|custom|markov|shapley')
    .option('--order <k>', 'Markov order, 1 to 4', undefined)
    .option('--out <file>', 'write the credits CSV here instead of stdout')
    .option('--half-life <days>', 'time-decay half-life in days (default 7)')
    .option('--lookback <days>', 'ignore touches older than this before the conversion')
    .option('--weights <list>', 'custom model: first_touch=0.4,lead_creation=0.4,opportunity_creation=0,closed_won=0,between=0.2')
    .option('--simulate <walks>', 'markov: estimate by random walks instead of the exact solve')
    .option('--seed <n>', 'seed for --simulate and sampled Shapley', '1')
    .option('--shapley-value <v>', 'shapley v(S): conversions (default) or conversion-rate')
    .option('--shapley-samples <n>', 'permutations when sampling Shapley beyond 15 channels', '1000')
    .option('--notes', 'print model facts (solver, residual, error bound) to stderr')
    .option('--workspace <id>', 'workspace mode: attribute the workspace\'s touchpoints')
    .option('--from <date>', 'workspace mode: period start (ISO date), inclusive')
    .option('--to <date>', 'workspace mode: period end (ISO date), exclusive')
    .option('--by <list>', 'workspace mode: channel|source|campaign|content, and/or day|week|month|quarter for credits by period of the conversion (e.g. --by campaign,month)', 'channel')
    .option('--period <unit>', 'workspace mode: day|week|month|quarter breakdown (same as adding it to --by)')
    .option('--min-employees <n>', 'workspace mode: only accounts with at least n employees (1000: enterprise) and their contacts')
    .option('--config <file.yaml>', 'workspace mode: channel rules and conversions (schemas/attribution.schema.json)')
    .option('--json', 'workspace mode: the full report as JSON instead of CSV')
    .option('--schema', 'print the JSON Schema of the settings YAML (--config) and exit')
    .option('--save-config <file.yaml>', 'save the workspace\'s attribution settings (audited) and exit')
    .option('--show-config', 'print the workspace\'s attribution settings and exit')
    .description('Attribute conversions and value to channels (credits CSV: channel, conversions, value[, removal_effect]); without FILE, conversions, pipeline and revenue of a workspace')
    .action(async (file: string | undefined, opts: AttributionOpts) => {
      if (opts.schema) {
        process.stdout.write(`${JSON.stringify(channelRulesJsonSchema(), null, 2)}\n`);
        return;
      }
      if (opts.saveConfig || opts.showConfig) {
        await manageSettings(opts);
        return;
      }
      if (opts.model === undefined) throw new AppError('invalid', '--model is required: first-touch, last-touch, last-non-direct, linear, time-decay, position-based, u-shaped, w-shaped, full-path, custom, markov or shapley');
      const model = parseModelName(opts.model);
      const options = modelOptionsOf(opts);
      if (file === undefined) {
        await attributeWorkspaceFromCli(model, options, opts);
        return;
      }
      const table = await readPathTableCsv(file);
      const credits = runAttributionModel(table, model, options);
      const csv = formatCreditsCsv(credits);
      if (opts.out) writeFileSync(opts.out, csv);
      else process.stdout.write(csv);
      if (opts.notes) process.stderr.write(`${JSON.stringify({ paths: table.pathCount, ...credits.notes, unattributed: credits.unattributed })}\n`);
    });
}

async function attributeWorkspaceFromCli(model: ReturnType<typeof parseModelName>, options: ModelOptions, opts: AttributionOpts): Promise<void> {
  if (!opts.from || !opts.to) throw new AppError('invalid', 'workspace mode needs --from and --to (ISO dates), or give a path table FILE.csv');
  const config = opts.config ? parseChannelRulesYaml(readFileSync(opts.config, 'utf8'), opts.config) : undefined;
  const { lookbackDays, ...modelOptions } = options;
  await withContext(async (ctx) => {
    const workspaceId = await resolveWorkspace(ctx, opts.workspace);
    const { dimension, period } = parseBreakdown(opts.by ?? 'channel', opts.period);
    const report = await attributeWorkspace(ctx.db.kysely, workspaceId, { model, from: parseDate(opts.from!, '--from'), to: parseDate(opts.to!, '--to'), dimension, period, lookbackDays, config, options: modelOptions, minEmployees: optionalNumber(opts.minEmployees, '--min-employees') });
    const text = opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatWorkspaceCsv(report);
    if (opts.out) writeFileSync(opts.out, text);
    else process.stdout.write(text);
    if (report.unmapped.length > 0) process.stderr.write(`unmapped source / medium (grouped as other): ${report.unmapped.slice(0, 10).map((u) => `${u.source_medium} (${u.touches})`).join(', ')}\n`);
  });
}

/** `--by campaign,month`: one dimension (default channel) and at most one period unit. */
export function parseBreakdown(by: string, periodOption: string | undefined): { dimension: ReturnType<typeof parseDimension>; period: PeriodUnit | undefined } {
  let dimension: ReturnType<typeof parseDimension> | undefined;
  let period = periodOption === undefined ? undefined : parsePeriodUnit(periodOption, '--period');
  for (const part of by.split(',').map((p) => p.trim()).filter(Boolean)) {
    if ((PERIOD_UNITS as readonly string[]).includes(part)) {
      if (period && period !== part) throw new AppError('invalid', `--by: one period unit at most, got ${period} and ${part}`);
      period = part as PeriodUnit;
    } else {
      if (dimension) throw new AppError('invalid', `--by: one dimension at most, got ${dimension} and ${part}`);
      dimension = parseDimension(part);
    }
  }
  return { dimension: dimension ?? 'channel', period };
}

async function manageSettings(opts: AttributionOpts): Promise<void> {
  const text = opts.saveConfig ? readFileSync(opts.saveConfig, 'utf8') : null;
  await withContext(async (ctx) => {
    const workspaceId = await resolveWorkspace(ctx, opts.workspace);
    const settings = text === null ? await getAttributionSettings(ctx.db.kysely, workspaceId) : await saveAttributionSettings(ctx.db.kysely, workspaceId, text, cliActor());
    process.stdout.write(settings.yaml ?? `# defaults (nothing saved)\n${JSON.stringify(settings.config, null, 2)}\n`);
  });
}

function parseDate(value: string, name: string): Date {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid', `${name} must be an ISO date, got "${value}"`);
  return d;
}

export function modelOptionsOf(opts: AttributionOpts): ModelOptions {
  return {
    order: optionalNumber(opts.order, '--order'),
    halfLifeDays: optionalNumber(opts.halfLife, '--half-life'),
    lookbackDays: optionalNumber(opts.lookback, '--lookback'),
    simulations: optionalNumber(opts.simulate, '--simulate'),
    seed: optionalNumber(opts.seed, '--seed'),
    shapleySamples: optionalNumber(opts.shapleySamples, '--shapley-samples'),
    shapleyValueOf: parseShapleyValue(opts.shapleyValue),
    milestoneWeights: opts.weights === undefined ? undefined : parseMilestoneWeights(opts.weights),
  };
}

function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new AppError('invalid', `${name} must be a number, got "${value}"`);
  return n;
}

function parseShapleyValue(value: string | undefined): ModelOptions['shapleyValueOf'] {
  if (value === undefined || value === 'conversions' || value === 'conversion-rate') return value;
  throw new AppError('invalid', `--shapley-value must be conversions or conversion-rate, got "${value}"`);
}
