import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { createTopic, listTopics, updateTopic } from '../../features/consent/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

export function registerTopicCommands(program: Command): void {
  const topics = program.command('topics').description('Subscription topics (newsletter, product updates, ...): channels and opt-in/opt-out regime');
  topics
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = await listTopics(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(rows.map((t) => ({ key: t.key, name: t.name, regime: t.regime, channels: t.channels.join(','), double_opt_in: t.double_opt_in })), opts.json === true);
      });
    });
  topics
    .command('create')
    .argument('<key>', 'topic key: lower-case letters, digits, - and _')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--regime <regime>', 'opt_in (GDPR/CASL) or opt_out (CAN-SPAM)').choices(['opt_in', 'opt_out']).makeOptionMandatory())
    .option('--channels <list>', 'comma-separated: email,sms,webhook', 'email')
    .option('--double-opt-in', 'opt-ins start pending until the emailed link is confirmed')
    .option('--description <text>', 'shown on the preference centre')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (key: string, opts: { name: string; regime: 'opt_in' | 'opt_out'; channels: string; doubleOptIn?: boolean; description?: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const topic = await createTopic(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { key, name: opts.name, regime: opts.regime, channels: list(opts.channels), doubleOptIn: opts.doubleOptIn, description: opts.description }, cliActor());
        print(topic, opts.json === true);
      });
    });
  topics
    .command('update')
    .argument('<key>', 'topic key')
    .option('--name <name>', 'display name')
    .addOption(new Option('--regime <regime>', 'opt_in or opt_out').choices(['opt_in', 'opt_out']))
    .option('--channels <list>', 'comma-separated: email,sms,webhook')
    .addOption(new Option('--double-opt-in <on>', 'true or false').choices(['true', 'false']))
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (key: string, opts: { name?: string; regime?: 'opt_in' | 'opt_out'; channels?: string; doubleOptIn?: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const topic = await updateTopic(
          ctx.db.kysely,
          await resolveWorkspace(ctx, opts.workspace),
          key,
          { name: opts.name, regime: opts.regime, channels: opts.channels ? list(opts.channels) : undefined, doubleOptIn: opts.doubleOptIn === undefined ? undefined : opts.doubleOptIn === 'true' },
          cliActor(),
        );
        print(topic, opts.json === true);
      });
    });
}
