import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { applyStageRules, countContactsByStage, findContactId, getStageRules, getStagesOfContact, listStageHistory } from '../../features/audiences/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

interface Opts {
  workspace?: string;
  json?: boolean;
}

/** `keel stages ...`: lifecycle and engagement stage rules, counts and history. */
export function registerStageCommands(program: Command): void {
  const stages = program.command('stages').description('Lifecycle and engagement stages (YAML rules, schemas/stages.schema.json)');
  stages
    .command('apply')
    .argument('<file>', 'a stage rules YAML file')
    .option('--workspace <id>', 'workspace id')
    .description('Replace the stage rules, then recompute stages and segments')
    .action(async (file: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const applied = await applyStageRules(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), readFileSync(file, 'utf8'), cliActor());
        print({ lifecycle_stages: applied.rules.lifecycle?.length ?? 0, engagement_stages: applied.rules.engagement?.length ?? 0, stage_moves: applied.recompute.stageMoves }, false);
      });
    });
  stages
    .command('rules')
    .option('--workspace <id>', 'workspace id')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => print((await getStageRules(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace))) ?? {}, true));
    });
  stages
    .command('counts')
    .option('--workspace <id>', 'workspace id')
    .description('Contacts per stage')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => print((await countContactsByStage(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace))).map((r) => ({ ...r, contacts: Number(r.contacts) })), false));
    });
  stages
    .command('history')
    .option('--contact <emailOrId>', 'one contact')
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .description('Stage moves with timestamps')
    .action(async (opts: Opts & { contact?: string; limit: string }) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const contactId = opts.contact ? await findContactId(ctx.db.kysely, workspaceId, opts.contact) : undefined;
        if (contactId) print((await getStagesOfContact(ctx.db.kysely, workspaceId, contactId)).map((s) => ({ dimension: s.dimension, stage: s.stage, since: s.entered_at.toISOString() })), false);
        const rows = await listStageHistory(ctx.db.kysely, workspaceId, { contactId, limit: parseLimit(opts.limit, 10_000) });
        print(rows.map((r) => ({ at: r.at.toISOString(), contact: r.contact_id, dimension: r.dimension, from: r.from_stage, to: r.to_stage })), false);
      });
    });
}
