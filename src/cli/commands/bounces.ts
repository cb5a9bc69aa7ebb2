import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { recordBounce, type BounceKind } from '../../features/messaging/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

export function registerBounceCommands(program: Command): void {
  const bounces = program.command('bounces').description('Bounces and complaints reported by an ESP (hard bounces and complaints suppress the address for email)');
  bounces
    .command('record')
    .argument('<email>', 'the recipient that bounced or complained')
    .addOption(new Option('--type <type>', 'hard, soft or complaint').choices(['hard', 'soft', 'complaint']).makeOptionMandatory())
    .option('--message <id>', "Keel's message id, when known")
    .option('--diagnostic <text>', 'e.g. "550 5.1.1 user unknown"')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (email: string, opts: { type: BounceKind; message?: string; diagnostic?: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const ws = await resolveWorkspace(ctx, opts.workspace);
        print(await recordBounce(ctx.db.kysely, ws, { email, kind: opts.type, messageId: opts.message, diagnostic: opts.diagnostic, source: 'cli' }, cliActor()), opts.json === true);
      });
    });
}
