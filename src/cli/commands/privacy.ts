import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { applyRetention, exportPersonalData, formatCsv, listPrivacyRequests, requestErasure, runErasure } from '../../features/privacy/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

export function registerPrivacyCommands(program: Command): void {
  const privacy = program.command('privacy').description('GDPR/CCPA requests: export and erasure; retention');
  privacy
    .command('export')
    .argument('<email>', "the person's email address")
    .addOption(new Option('--format <format>', 'json (one document) or csv (a folder with one CSV per section)').choices(['json', 'csv']).default('json'))
    .option('--out <path>', 'write here (a file for json, a folder for csv) instead of stdout')
    .option('--workspace <id>', 'workspace id')
    .action(async (email: string, opts: { format: 'json' | 'csv'; out?: string; workspace?: string }) => {
      await withContext(async (ctx) => {
        const data = await exportPersonalData(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), email, cliActor());
        if (opts.format === 'json') {
          const text = `${JSON.stringify({ email, ...data }, null, 2)}\n`;
          if (opts.out) writeFileSync(opts.out, text);
          else process.stdout.write(text);
          return;
        }
        if (!opts.out) throw new Error('--format csv writes a folder: pass --out DIR');
        mkdirSync(opts.out, { recursive: true });
        for (const [name, rows] of Object.entries(data.sections)) writeFileSync(join(opts.out, `${name}.csv`), formatCsv(rows));
        console.log(`Wrote ${Object.keys(data.sections).length} CSV files to ${opts.out}: ${Object.entries(data.sections).map(([k, v]) => `${k} (${v.length})`).join(', ')}`);
      });
    });
  privacy
    .command('erase')
    .argument('<email>', "the person's email address")
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Erase the person from every table; a salted hash of the email stays suppressed')
    .action(async (email: string, opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const request = await requestErasure(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), email, cliActor());
        print(request, opts.json === true);
        if (request.status !== 'done') process.exitCode = 1;
      });
    });
  privacy
    .command('requests')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = await listPrivacyRequests(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(rows.map((r) => ({ id: r.id, kind: r.kind, status: r.status, attempts: r.attempts, requested_at: r.requested_at.toISOString(), last_error: r.last_error })), opts.json === true);
      });
    });
  privacy
    .command('retry')
    .argument('<id>', 'erasure request id')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        print(await runErasure(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), id, cliActor()), opts.json === true);
      });
    });
  privacy
    .command('retention')
    .option('--workspace <id>', 'workspace id')
    .description('Apply the retention period now (the worker does it hourly)')
    .action(async (opts: { workspace?: string }) => {
      await withContext(async (ctx) => {
        const outcome = await applyRetention(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), cliActor());
        console.log(outcome ? `${outcome.mode === 'delete' ? 'Deleted' : 'Anonymized'} ${outcome.events} events older than ${outcome.cutoff}.` : 'No retention period set (keel policies set --retention-days N).');
      });
    });
}
