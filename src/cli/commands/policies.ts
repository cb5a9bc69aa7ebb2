import { readFileSync } from 'node:fs';
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
    .option('--email-max-per-day <n>', 'marketing emails per contact per day, or "none"', count('--email-max-per-day'))
    .option('--email-max-per-week <n>', 'marketing emails per contact per week, or "none"', count('--email-max-per-week'))
    .option('--sms-max-per-day <n>', 'marketing texts per contact per day, or "none"', count('--sms-max-per-day'))
    .option('--sms-max-per-week <n>', 'marketing texts per contact per week, or "none"', count('--sms-max-per-week'))
    .option('--cap-reserve-priority <n>', 'journey priority (0-101) needed to take the last free slot of a cap', (v: string) => Number(v))
    .option('--webhook-secret <secret>', 'HMAC key of X-Keel-Signature (24+ characters), or "none"')
    .option('--webhook-allowed-hosts <hosts>', 'comma-separated hosts webhooks may reach (hooks.example.com,*.example.com), or "none"')
    .option('--sms <url,account,token,from>', 'SMS provider: base URL of POST /Messages, account, token, From number; or "none"')
    .option('--sms-inbound-secret <secret>', 'secret of the inbound URL /sms/inbound/WORKSPACE/SECRET (24+ characters), or "none"')
    .option('--dkim <domain,selector,keyfile>', 'DKIM signing: domain, selector and a PEM private key file; or "none"')
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
        ...channelChanges(opts),
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

const orNone = (v: unknown) => (v === 'none' ? null : (v as string | undefined));

function channelChanges(opts: Record<string, unknown>): PolicyChanges {
  const sms = opts.sms === undefined || opts.sms === 'none' ? orNone(opts.sms) : String(opts.sms).split(',');
  const dkim = opts.dkim === undefined || opts.dkim === 'none' ? orNone(opts.dkim) : String(opts.dkim).split(',');
  if (Array.isArray(sms) && sms.length !== 4) throw new Error('--sms must be URL,ACCOUNT,TOKEN,FROM (four values separated by commas)');
  if (Array.isArray(dkim) && dkim.length !== 3) throw new Error('--dkim must be DOMAIN,SELECTOR,KEYFILE (three values separated by commas)');
  const hosts = orNone(opts.webhookAllowedHosts);
  return {
    emailMaxPerDay: opts.emailMaxPerDay as number | null | undefined,
    emailMaxPerWeek: opts.emailMaxPerWeek as number | null | undefined,
    smsMaxPerDay: opts.smsMaxPerDay as number | null | undefined,
    smsMaxPerWeek: opts.smsMaxPerWeek as number | null | undefined,
    capReservePriority: opts.capReservePriority as number | undefined,
    webhookSecret: orNone(opts.webhookSecret),
    webhookAllowedHosts: hosts === undefined ? undefined : hosts === null ? [] : hosts.split(',').map((h) => h.trim()).filter(Boolean),
    smsInboundSecret: orNone(opts.smsInboundSecret),
    sms: Array.isArray(sms) ? { baseUrl: sms[0]!, account: sms[1]!, token: sms[2]!, from: sms[3]! } : (sms as null | undefined),
    dkim: Array.isArray(dkim) ? { domain: dkim[0]!, selector: dkim[1]!, privateKey: readFileSync(dkim[2]!, 'utf8') } : (dkim as null | undefined),
  };
}
