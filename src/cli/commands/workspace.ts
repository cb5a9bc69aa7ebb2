import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { createWorkspace, listWorkspaces } from '../../features/workspaces/index.ts';
import { print, withContext } from '../cli-context.ts';

export function registerWorkspaceCommands(program: Command): void {
  const workspace = program.command('workspace').description('Create and list workspaces');
  workspace
    .command('create')
    .argument('<name>', 'workspace name')
    .option('--json', 'print JSON')
    .description('Create a workspace with a write key and an admin key (keys are shown once)')
    .action(async (name: string, opts: { json?: boolean }) => {
      await withContext(async ({ db }) => {
        const created = await createWorkspace(db.kysely, name, cliActor());
        const out = { id: created.id, name: created.name, writeKey: created.writeKey.key, adminKey: created.adminKey.key };
        print(out, opts.json === true);
      });
    });
  workspace
    .command('list')
    .option('--json', 'print JSON')
    .description('List workspaces')
    .action(async (opts: { json?: boolean }) => {
      await withContext(async ({ db }) => {
        const rows = await listWorkspaces(db.kysely);
        print(rows.map((w) => ({ id: w.id, name: w.name, created_at: w.created_at.toISOString() })), opts.json === true);
      });
    });
}
