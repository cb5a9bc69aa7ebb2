// `keel attribution` without a path file: a workspace's own touchpoints, and its settings.
import { readFileSync, writeFileSync } from 'node:fs';
import {
  attributeWorkspace,
  channelRulesJsonSchema,
  formatWorkspaceCsv,
  getAttributionSettings,
  parseChannelRulesYaml,
  parseDimension,
  saveAttributionSettings,
  type ModelName,
  type ModelOptions,
} from '../../features/attribution/index.ts';
import { cliActor } from '../../features/audit/index.ts';
import { PERIOD_UNITS, parsePeriodUnit, type PeriodUnit } from '../../platform/calendar-periods.ts';
import { AppError } from '../../platform/errors.ts';
import { resolveWorkspace, withContext } from '../cli-context.ts';
import { optionalNumber, type AttributionOpts } from './attribution-options.ts';

/** --schema, --save-config, --show-config. */
export async function runAttributionSettingsCommand(opts: AttributionOpts): Promise<void> {
  if (opts.schema) {
    process.stdout.write(`${JSON.stringify(channelRulesJsonSchema(), null, 2)}\n`);
    return;
  }
  await manageSettings(opts);
}

export async function attributeWorkspaceFromCli(model: ModelName, options: ModelOptions, opts: AttributionOpts): Promise<void> {
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

