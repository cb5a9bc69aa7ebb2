import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { getPolicies, presentPolicies, updatePolicies, type PolicyChanges } from '../../features/consent/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

const count = (option: string) => (v: string) => {
  if (v === 'none') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${option} must be a positive integer or "none", got "${v}"`);
  return n;
};

export function registerPolicyCommands(program: Command): void {
  const policies = program.command('policies').description('Sending and privacy settings: sender, postal address, caps, quiet hours, page texts, retention, SMTP');
  policies
    .command('show')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => print(presentPolicies(await getPolicies(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace))), opts.json === true));
    });
  policies
    .command('set')
    .option('--sender-name <name>', 'From name')
    .option('--sender-email <email>', 'From address')
    .option('--postal-address <text>', 'physical postal address (CAN-SPAM), printed in every marketing email')
    .option('--unsubscribe-mailbox <email>', 'mailto: target of List-Unsubscribe')
    .option('--max-per-day <n>', 'marketing messages per contact per day, or "none"', count('--max-per-day'))
    .option('--max-per-week <n>', 'per week, or "none"', count('--max-per-week'))
    .option('--quiet-hours <range>', 'HH:MM-HH:MM[@Time/Zone], or "none"')
    .option('--retention-days <n>', 'keep events N days, or "none"', count('--retention-days'))
    .addOption(new Option('--retention-mode <mode>', 'delete or anonymize old events').choices(['delete', 'anonymize']))
    .option('--smtp-url <url>', 'smtp(s)://user:pass@host:port for this workspace, or "none"')
    .option('--text <key=value...>', 'page texts, e.g. preferences_title="Your choices"')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown> & { workspace?: string; json?: boolean }) => {
      const changes: PolicyChanges = {
        senderName: opts.senderName as string | undefined,
        senderEmail: opts.senderEmail as string | undefined,
        postalAddress: opts.postalAddress as string | undefined,
        unsubscribeMailbox: opts.unsubscribeMailbox as string | undefined,
        maxPerDay: opts.maxPerDay as number | null | undefined,
        maxPerWeek: opts.maxPerWeek as number | null | undefined,
        retentionDays: opts.retentionDays as number | null | undefined,
        retentionMode: opts.retentionMode as 'delete' | 'anonymize' | undefined,
        smtpUrl: opts.smtpUrl === 'none' ? null : (opts.smtpUrl as string | undefined),
        quietHours: parseQuietHours(opts.quietHours as string | undefined),
        pageTexts: opts.text ? Object.fromEntries((opts.text as string[]).map((kv) => [kv.split('=')[0]!, kv.slice(kv.indexOf('=') + 1)])) : undefined,
      };
      await withContext(async (ctx) => print(await updatePolicies(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), changes, cliActor()), opts.json === true));
    });
}

function parseQuietHours(value: string | undefined): PolicyChanges['quietHours'] {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  const m = /^(\d\d:\d\d)-(\d\d:\d\d)(?:@(.+))?$/.exec(value);
  if (!m) throw new Error(`--quiet-hours must look like 21:00-08:00 or 21:00-08:00@Europe/Paris, got "${value}"`);
  return { start: m[1]!, end: m[2]!, ...(m[3] ? { timezone: m[3] } : {}) };
}
