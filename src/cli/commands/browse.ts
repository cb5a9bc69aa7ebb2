import type { Command } from 'commander';
import { getAccountsOfContact, getContact, listContacts } from '../../features/contacts/index.ts';
import { listEvents } from '../../features/events/index.ts';
import { getIdentitiesOfContact } from '../../features/identity/index.ts';
import { listRejectedEvents } from '../../features/ingest/index.ts';
import { getWorkspaceStats } from '../../features/stats/index.ts';
import type { EventType } from '../../platform/db/schema.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

const EVENT_TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'];

/** Read-only views of a workspace from a shell: the same services as GET /api/v1/*. */
export function registerBrowseCommands(program: Command): void {
  registerStatsCommand(program);
  registerContactCommands(program);
  registerEventsCommand(program);
  registerRejectedCommand(program);
}

function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Counts of contacts, accounts, opportunities, events, rejected and pending events')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => print(await getWorkspaceStats(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace)), opts.json === true));
    });
}

function registerContactCommands(program: Command): void {
  const contacts = program.command('contacts').description('Find and show contacts');
  contacts
    .command('list')
    .option('--email <email>', 'exact email, case-insensitive')
    .option('--q <text>', 'substring of email, name or company')
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { email?: string; q?: string; limit: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = await listContacts(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { email: opts.email, q: opts.q, limit: parseLimit(opts.limit) });
        const list = rows.slice(0, parseLimit(opts.limit));
        print(opts.json ? list : list.map((c) => ({ id: c.id, email: c.email, name: [c.first_name, c.last_name].filter(Boolean).join(' '), title: c.title, company: c.company })), opts.json === true);
      });
    });
  contacts
    .command('show')
    .argument('<id>', 'contact id')
    .option('--workspace <id>', 'workspace id')
    .option('--events <n>', 'how many recent events to show', '10')
    .description('A contact with identities, accounts and recent events')
    .action(async (id: string, opts: { workspace?: string; events: string }) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const { workspace_id: _, ...contact } = await getContact(ctx.db.kysely, workspaceId, id);
        const identities = await getIdentitiesOfContact(ctx.db.kysely, workspaceId, id);
        const accounts = await getAccountsOfContact(ctx.db.kysely, workspaceId, id);
        const events = await listEvents(ctx.db.kysely, workspaceId, { contactId: id, limit: parseLimit(opts.events) });
        print({ ...contact, identities, accounts, events: events.slice(0, parseLimit(opts.events)) }, true);
      });
    });
}

function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .option('--type <type>', EVENT_TYPES.join('|'))
    .option('--name <name>', 'event or page name')
    .option('--contact <id>', 'contact id')
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Recent events')
    .action(async (opts: { type?: string; name?: string; contact?: string; limit: string; workspace?: string; json?: boolean }) => {
      if (opts.type && !EVENT_TYPES.includes(opts.type)) throw new Error(`--type must be one of ${EVENT_TYPES.join(', ')}, got "${opts.type}"`);
      await withContext(async (ctx) => {
        const limit = parseLimit(opts.limit);
        const rows = (
          await listEvents(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { type: opts.type as EventType | undefined, name: opts.name, contactId: opts.contact, limit })
        ).slice(0, limit);
        print(opts.json ? rows : rows.map((e) => ({ at: e.timestamp.toISOString(), type: e.type, name: e.name, contact: e.contact_id, utm_source: e.utm_source })), opts.json === true);
      });
    });
}

function registerRejectedCommand(program: Command): void {
  program
    .command('rejected')
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Events refused at ingest, with the reason')
    .action(async (opts: { limit: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = await listRejectedEvents(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { limit: parseLimit(opts.limit) });
        print(opts.json ? rows : rows.map((r) => ({ at: r.received_at.toISOString(), type: r.type, field: r.field, reason: r.reason })), opts.json === true);
      });
    });
}
