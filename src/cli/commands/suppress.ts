import { createReadStream, existsSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { addSuppressions, importSuppressionsCsv, listSuppressions, removeSuppression } from '../../features/consent/index.ts';
import type { SuppressionReason } from '../../platform/db/schema.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

export function registerSuppressCommands(program: Command): void {
  const suppress = program.command('suppress').description('Suppression lists: global, per topic, per channel; checked on every send');
  suppress
    .command('add')
    .argument('<email>', 'address to suppress')
    .addOption(new Option('--reason <reason>', 'why').choices(['hard_bounce', 'complaint', 'manual', 'unsubscribed']).default('manual'))
    .option('--topic <key>', 'only this topic')
    .addOption(new Option('--channel <channel>', 'only this channel').choices(['email', 'sms', 'webhook']))
    .option('--note <text>', 'a note')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (email: string, opts: { reason: SuppressionReason; topic?: string; channel?: string; note?: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const ws = await resolveWorkspace(ctx, opts.workspace);
        const [row] = await addSuppressions(ctx.db.kysely, ws, [{ email, reason: opts.reason, topicKey: opts.topic, channel: opts.channel, note: opts.note, source: 'cli' }], cliActor());
        print(row, opts.json === true);
      });
    });
  suppress
    .command('import')
    .argument('<file>', 'CSV with a header: email, reason[, topic, channel, note]')
    .addOption(new Option('--reason <reason>', 'reason for rows without one').choices(['hard_bounce', 'complaint', 'manual', 'unsubscribed']))
    .option('--workspace <id>', 'workspace id')
    .description('Import suppressions from CSV (streamed; all rows or none)')
    .action(async (file: string, opts: { reason?: SuppressionReason; workspace?: string }) => {
      await withContext(async (ctx) => {
        if (!existsSync(file)) throw new Error(`No such file: ${file}`);
        const ws = await resolveWorkspace(ctx, opts.workspace);
        const result = await importSuppressionsCsv(ctx.db.kysely, ws, createReadStream(file), cliActor(), opts.reason ? { reason: opts.reason } : {});
        console.log(`Imported ${result.imported} suppressions from ${result.rows} rows.`);
      });
    });
  suppress
    .command('list')
    .option('--email <email>', 'one address')
    .option('--limit <n>', 'rows', '50')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { email?: string; limit: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const page = await listSuppressions(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { email: opts.email, limit: parseLimit(opts.limit) });
        print(page.items.map((s) => ({ ...s, created_at: s.created_at.toISOString() })), opts.json === true);
      });
    });
  suppress
    .command('remove')
    .argument('<id>', 'suppression id')
    .option('--workspace <id>', 'workspace id')
    .description("Lift a suppression (never an erased person's)")
    .action(async (id: string, opts: { workspace?: string }) => {
      await withContext(async (ctx) => {
        await removeSuppression(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), id, cliActor());
        console.log(`Removed suppression ${id}.`);
      });
    });
}
