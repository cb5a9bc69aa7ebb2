import { Option, type Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../features/workspaces/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('Create, list and revoke API keys');
  keys
    .command('create')
    .addOption(new Option('--kind <kind>', 'write (ingest only) or admin').choices(['write', 'admin']).makeOptionMandatory())
    .addOption(new Option('--role <role>', 'admin keys: admin or viewer (read only)').choices(['admin', 'viewer']))
    .option('--name <name>', 'a label for the key', 'cli key')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Create a key; the key is printed once and only its hash is stored')
    .action(async (opts: { kind: 'write' | 'admin'; role?: 'admin' | 'viewer'; name: string; workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const created = await createApiKey(ctx.db.kysely, workspaceId, { kind: opts.kind, name: opts.name, ...(opts.role ? { role: opts.role } : {}) }, cliActor());
        print({ workspaceId, ...created }, opts.json === true);
      });
    });
  keys
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('List keys (ids, kinds, roles, last use, revocation)')
    .action(async (opts: { workspace?: string; json?: boolean }) => {
      await withContext(async (ctx) => {
        const rows = await listApiKeys(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(
          rows.map((k) => ({ ...k, created_at: k.created_at.toISOString(), last_used_at: k.last_used_at?.toISOString() ?? null, revoked_at: k.revoked_at?.toISOString() ?? null })),
          opts.json === true,
        );
      });
    });
  keys
    .command('revoke')
    .argument('<id>', 'key id (the 12 characters after kw_ or ka_)')
    .option('--workspace <id>', 'workspace id')
    .description('Revoke a key at once')
    .action(async (id: string, opts: { workspace?: string }) => {
      await withContext(async (ctx) => {
        await revokeApiKey(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), id, cliActor());
        console.log(`Revoked key ${id}.`);
      });
    });
}
