import { Option, type Command } from 'commander';
import { createMailer, getMessage, listMessages, type SendRequest } from '../../features/messaging/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';
import { resolveContact } from './consent.ts';

export function registerOutboxCommands(program: Command): void {
  const outbox = program.command('outbox').description('Messages handed to transports (the built-in outbox unless SMTP is configured)');
  outbox
    .command('list')
    .addOption(new Option('--transport <name>', 'outbox, smtp, webhook or sms').choices(['outbox', 'smtp', 'webhook', 'sms']))
    .addOption(new Option('--channel <channel>', 'email, sms or webhook').choices(['email', 'sms', 'webhook']))
    .addOption(new Option('--status <status>', 'delivery state').choices(['sent', 'retrying', 'dead', 'bounced']))
    .option('--journey <id>', 'only messages of this journey')
    .option('--limit <n>', 'rows', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { transport?: string; channel?: string; status?: 'sent' | 'retrying' | 'dead' | 'bounced'; journey?: string; limit: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const filter = { transport: opts.transport, channel: opts.channel, status: opts.status, journeyId: opts.journey, limit: parseLimit(opts.limit) };
        const page = await listMessages(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), filter);
        const rows = page.items.map((m) => ({ id: m.id, sent_at: m.sent_at.toISOString(), channel: m.channel, transport: m.transport, status: m.status, kind: m.kind, to: m.to_address, subject: m.subject }));
        print(opts.json ? page.items : rows, opts.json === true);
      });
    });
  outbox
    .command('show')
    .argument('<id>', 'message id')
    .option('--workspace <id>', 'workspace id')
    .action(async (id: string, opts: { workspace?: string }) => {
      await withContext(async (ctx) => {
        print(await getMessage(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), id), true);
      });
    });
  outbox
    .command('send')
    .argument('<contact>', 'contact id or email')
    .requiredOption('--topic <key>', 'topic key')
    .addOption(new Option('--channel <channel>', 'email, sms or webhook').choices(['email', 'sms', 'webhook']).default('email'))
    .option('--subject <text>', 'subject (email)')
    .option('--text <text>', 'plain-text body (email, SMS)')
    .option('--html <html>', 'HTML body (email)')
    .option('--url <url>', 'receiver URL (webhook)')
    .option('--payload <json>', 'JSON body (webhook)')
    .addOption(new Option('--kind <kind>', 'marketing or transactional').choices(['marketing', 'transactional']).default('marketing'))
    .option('--workspace <id>', 'workspace id')
    .description('Send one message through the gate; prints sent, queued (a retry is scheduled), blocked (why) or deferred')
    .action(async (contact: string, opts: SendOptions) => {
      const content = contentOf(opts);
      await withContext(async (ctx) => {
        const ws = await resolveWorkspace(ctx, opts.workspace);
        const mailer = createMailer(ctx.config.mail);
        try {
          const outcome = await mailer.send(ctx.db.kysely, { workspaceId: ws, contactId: await resolveContact(ctx, ws, contact), topicKey: opts.topic, kind: opts.kind, channel: opts.channel, content });
          print(outcome, true);
          if (outcome.status !== 'sent' && outcome.status !== 'queued') process.exitCode = 2;
        } finally {
          await mailer.close();
        }
      });
    });
}

interface SendOptions {
  topic: string;
  channel: 'email' | 'sms' | 'webhook';
  subject?: string;
  text?: string;
  html?: string;
  url?: string;
  payload?: string;
  kind: 'marketing' | 'transactional';
  workspace?: string;
}

function contentOf(opts: SendOptions): SendRequest['content'] {
  if (opts.channel === 'sms') return { text: opts.text ?? '' };
  if (opts.channel === 'email') return { subject: opts.subject ?? '', text: opts.text ?? '', html: opts.html };
  try {
    return { url: opts.url ?? '', payload: JSON.parse(opts.payload ?? 'null') as unknown };
  } catch (error) {
    throw new Error(`--payload must be JSON: ${(error as Error).message}`);
  }
}
