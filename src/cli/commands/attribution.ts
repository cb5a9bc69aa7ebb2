import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatCreditsCsv, parseModelName, readPathTableCsv, runAttributionModel } from '../../features/attribution/path-models.ts';
import { AppError } from '../../platform/errors.ts';
import { modelOptionsOf, type AttributionOpts } from './attribution-options.ts';

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
      // Workspace mode needs the database; its module loads only when asked for.
      if (opts.schema || opts.saveConfig || opts.showConfig) {
        await (await import('./attribution-workspace.ts')).runAttributionSettingsCommand(opts);
        return;
      }
      if (opts.model === undefined) throw new AppError('invalid', '--model is required: first-touch, last-touch, last-non-direct, linear, time-decay, position-based, u-shaped, w-shaped, full-path, custom, markov or shapley');
      const model = parseModelName(opts.model);
      const options = modelOptionsOf(opts);
      if (file === undefined) {
        await (await import('./attribution-workspace.ts')).attributeWorkspaceFromCli(model, options, opts);
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
