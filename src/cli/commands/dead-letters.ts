import { type Command } from 'commander';
import { createMailer, listDeadLetters } from '../../features/messaging/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

export function registerDeadLetterCommands(program: Command): void {
  const dead = program.command('dead-letters').description('Messages whose retries ran out or that were refused for good (webhooks, SMS, email)');
  dead
    .command('list')
    .option('--channel <channel>', 'email, sms or webhook')
    .option('--journey <id>', 'only this journey')
    .option('--limit <n>', 'rows', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { channel?: string; journey?: string; limit: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const page = await listDeadLetters(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { channel: opts.channel, journeyId: opts.journey, limit: parseLimit(opts.limit) });
        const rows = page.items.map((m) => ({ id: m.id, sent_at: m.sent_at.toISOString(), channel: m.channel, to: m.to_address, attempts: m.attempts, journey: m.journey_id, last_error: m.last_error }));
        print(opts.json ? page.items : rows, opts.json === true);
      });
    });
  dead
    .command('retry')
    .argument('<id>', 'message id')
    .option('--workspace <id>', 'workspace id')
    .description('Send a dead letter again now; prints sent, queued (retries scheduled) or blocked')
    .action(async (id: string, opts: { workspace?: string }) => {
      await withContext(async (ctx) => {
        const mailer = createMailer(ctx.config.mail);
        try {
          const outcome = await mailer.retryMessage(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), id);
          print(outcome, true);
          if (outcome.status !== 'sent' && outcome.status !== 'queued') process.exitCode = 2;
        } finally {
          await mailer.close();
        }
      });
    });
}
