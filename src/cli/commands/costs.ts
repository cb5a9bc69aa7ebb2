import { createReadStream, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { formatCostsCsv, importCostsCsv, listCosts } from '../../features/costs/index.ts';
import { AppError } from '../../platform/errors.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

/** `keel costs import FILE.csv` and `keel costs list`: marketing cost per channel, campaign and period. */
export function registerCostCommands(program: Command): void {
  const costs = program.command('costs').description('Marketing costs per channel/campaign and period, for the ROI report');
  costs
    .command('import')
    .argument('<file>', 'CSV with columns date or period (2026-09-14, 2026-W38, 2026-09, 2026-Q3), channel, campaign, cost, currency')
    .option('--workspace <id>', 'workspace id')
    .description('Import costs, all or nothing (a problem names row, column and value); a repeated period/channel/campaign/currency replaces the cost')
    .action(async (file: string, opts: { workspace?: string }) => {
      if (!existsSync(file)) throw new AppError('not_found', `no such file: ${file}`);
      await withContext(async (ctx) => {
        const result = await importCostsCsv(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), createReadStream(file), cliActor(), `csv:${file.split('/').pop()}`);
        print(result, false);
      });
    });
  costs
    .command('list')
    .requiredOption('--from <date>', 'range start (ISO date)')
    .requiredOption('--to <date>', 'range end (ISO date), exclusive')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'JSON instead of CSV')
    .description('Imported cost rows whose period overlaps the range')
    .action(async (opts: { workspace?: string; from: string; to: string; json?: boolean }) => {
      const from = new Date(opts.from);
      const to = new Date(opts.to);
      if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new AppError('invalid', `--from and --to must be ISO dates, got "${opts.from}" and "${opts.to}"`);
      await withContext(async (ctx) => {
        const rows = await listCosts(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), from, to);
        if (opts.json) print(rows, true);
        else process.stdout.write(formatCostsCsv(rows));
      });
    });
}
