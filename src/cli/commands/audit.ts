import type { Command } from 'commander';
import { listAuditEntries } from '../../features/audit/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

function parseDate(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new Error(`${option} must be a date (ISO 8601), got "${value}"`);
  return date;
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('The audit log: who changed what, when (newest first)')
    .option('--action <action>', 'e.g. consent.recorded, api_key.revoked')
    .option('--object-type <type>', 'e.g. contact, topic, api_key')
    .option('--object-id <id>', 'one object')
    .option('--actor <id>', 'key id, OS user name or component')
    .option('--from <date>', 'inclusive')
    .option('--to <date>', 'exclusive')
    .option('--before <id>', 'entries older than this id (paging)')
    .option('--limit <n>', 'rows', '50')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { action?: string; objectType?: string; objectId?: string; actor?: string; from?: string; to?: string; before?: string; limit: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        if (opts.before !== undefined && !/^\d{1,19}$/.test(opts.before)) throw new Error(`--before must be an entry id (a number), got "${opts.before}"`);
        const rows = await listAuditEntries(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), {
          action: opts.action, objectType: opts.objectType, objectId: opts.objectId, actorId: opts.actor,
          from: parseDate(opts.from, '--from'), to: parseDate(opts.to, '--to'), beforeId: opts.before, limit: parseLimit(opts.limit),
        });
        const shown = rows.slice(0, parseLimit(opts.limit));
        print(opts.json ? shown : shown.map((r) => ({ id: r.id, at: r.at.toISOString(), actor: `${r.actor_kind}:${r.actor_id}`, action: r.action, object: `${r.object_type}:${r.object_id ?? ''}` })), opts.json === true);
      });
    });
}
