import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { CONSENT_SOURCES, getConsentHistory, getConsentState, LAWFUL_BASES, recordConsent, type ConsentSource, type LawfulBasis } from '../../features/consent/index.ts';
import { findContactIdsByEmail } from '../../features/contacts/index.ts';
import { createMailer } from '../../features/messaging/index.ts';
import { subscribeContact } from '../../features/preferences/index.ts';
import { print, resolveWorkspace, withContext, type CliContext } from '../cli-context.ts';

/** CONTACT is a contact id or an email address. */
export async function resolveContact(ctx: CliContext, workspaceId: string, contact: string): Promise<string> {
  if (!contact.includes('@')) return contact;
  const ids = await findContactIdsByEmail(ctx.db.kysely, workspaceId, contact);
  if (ids.length === 0) throw new Error(`No contact with the email ${JSON.stringify(contact)} in this workspace`);
  return ids[0]!;
}

export function registerConsentCommands(program: Command): void {
  const consent = program.command('consent').description('Consent records: append-only history per contact and topic');
  consent
    .command('record')
    .argument('<contact>', 'contact id or email')
    .requiredOption('--topic <key>', 'topic key')
    .addOption(new Option('--status <status>', 'opted_in, opted_out or pending').choices(['opted_in', 'opted_out', 'pending']).makeOptionMandatory())
    .addOption(new Option('--basis <basis>', 'lawful basis (GDPR art. 6)').choices([...LAWFUL_BASES]))
    .addOption(new Option('--source <source>', 'where it came from').choices([...CONSENT_SOURCES]).default('admin'))
    .option('--text <text>', 'the words the person agreed to')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (contact: string, opts: { topic: string; status: 'opted_in' | 'opted_out' | 'pending'; basis?: LawfulBasis; source: ConsentSource; text?: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const ws = await resolveWorkspace(ctx, opts.workspace);
        const contactId = await resolveContact(ctx, ws, contact);
        const [record] = await recordConsent(ctx.db.kysely, ws, [{ contactId, topicKey: opts.topic, status: opts.status, lawfulBasis: opts.basis, source: opts.source, consentText: opts.text }], cliActor());
        print(record, opts.json === true);
      });
    });
  consent
    .command('subscribe')
    .argument('<contact>', 'contact id or email')
    .requiredOption('--topic <key>', 'topic key (double opt-in topics send a confirmation email)')
    .option('--text <text>', 'the words the person agreed to')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (contact: string, opts: { topic: string; text?: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const ws = await resolveWorkspace(ctx, opts.workspace);
        const mailer = createMailer(ctx.config.mail);
        try {
          const result = await subscribeContact(ctx.db.kysely, mailer, ws, { contactId: await resolveContact(ctx, ws, contact), topicKey: opts.topic, source: 'admin', consentText: opts.text }, cliActor());
          print({ status: result.record.status, confirmation: result.confirmation }, opts.json === true);
        } finally {
          await mailer.close();
        }
      });
    });
  consent
    .command('show')
    .argument('<contact>', 'contact id or email')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Current state per topic and the full history')
    .action(async (contact: string, opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const ws = await resolveWorkspace(ctx, opts.workspace);
        const contactId = await resolveContact(ctx, ws, contact);
        const state = await getConsentState(ctx.db.kysely, ws, contactId);
        const history = await getConsentHistory(ctx.db.kysely, ws, contactId);
        const current = state.map((s) => ({ topic: s.topic.key, regime: s.topic.regime, status: s.current?.status ?? null, subscribed: s.subscribed }));
        if (opts.json) print({ state: current, history }, true);
        else {
          print(current, false);
          print(history.map((h) => ({ at: h.recorded_at.toISOString(), topic: state.find((s) => s.topic.id === h.topic_id)?.topic.key, status: h.status, basis: h.lawful_basis, source: h.source })), false);
        }
      });
    });
}
