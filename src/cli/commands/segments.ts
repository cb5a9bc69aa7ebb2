import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { applySegment, deleteSegment, getSegment, listMembershipHistory, listSegmentMembers, listSegments, previewSegment, recomputeAudiences } from '../../features/audiences/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

interface Opts {
  workspace?: string;
  json?: boolean;
}

const readDocument = (file: string) => readFileSync(file, 'utf8');

/** `keel segments ...`: the same services as /api/v1/segments. */
export function registerSegmentCommands(program: Command): void {
  const segments = program.command('segments').description('Segments: live audiences defined in YAML (schemas/segment.schema.json)');
  segments
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => {
        const rows = await listSegments(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(opts.json ? rows : rows.map((s) => ({ name: s.name, subject: s.subject, type: s.type, members: s.members, computed_at: s.computed_at?.toISOString() ?? null })), opts.json === true);
      });
    });
  segments
    .command('show')
    .argument('<name>')
    .option('--workspace <id>', 'workspace id')
    .action(async (name: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const { workspace_id: _, ...segment } = await getSegment(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name);
        print(segment, true);
      });
    });
  segments
    .command('apply')
    .argument('<file>', 'a segment YAML file')
    .option('--workspace <id>', 'workspace id')
    .description('Create or replace the segment and compute its members')
    .action(async (file: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const applied = await applySegment(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), readDocument(file), cliActor());
        print({ segment: applied.segment.name, created: applied.created, entered: applied.change.entered, exited: applied.change.exited }, false);
      });
    });
  segments
    .command('preview')
    .argument('<file>', 'a segment YAML file')
    .option('--sample <n>', 'how many members to show', '10')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Count and a sample of the members, without saving')
    .action(async (file: string, opts: Opts & { sample: string }) => {
      await withContext(async (ctx) => {
        const started = performance.now();
        const preview = await previewSegment(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), readDocument(file), { sampleSize: parseLimit(opts.sample, 200) });
        const ms = Math.round(performance.now() - started);
        print(opts.json ? { ...preview, ms } : { subject: preview.subject, count: preview.count, ms, sample: preview.sample.map((m) => m.label ?? m.id) }, opts.json === true);
      });
    });
  registerMemberCommands(segments);
}

function registerMemberCommands(segments: Command): void {
  segments
    .command('members')
    .argument('<name>')
    .option('--limit <n>', 'how many', '50')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Opts & { limit: string }) => {
      await withContext(async (ctx) => {
        const { segment, members } = await listSegmentMembers(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name, { limit: parseLimit(opts.limit, 10_000) });
        if (!opts.json) process.stdout.write(`${segment.name}: ${segment.members} ${segment.subject}s\n`);
        print(opts.json ? members : members.map((m) => ({ id: m.id, member: m.label, entered_at: m.entered_at?.toISOString() })), opts.json === true);
      });
    });
  segments
    .command('history')
    .argument('<name>')
    .option('--limit <n>', 'how many (newest first)', '50')
    .option('--workspace <id>', 'workspace id')
    .description('Entries and exits with their times')
    .action(async (name: string, opts: Opts & { limit: string }) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const segment = await getSegment(ctx.db.kysely, workspaceId, name);
        const rows = await listMembershipHistory(ctx.db.kysely, workspaceId, { segmentId: segment.id, limit: parseLimit(opts.limit, 10_000) });
        print(rows.map((r) => ({ at: r.at.toISOString(), change: r.change, member: r.member_id })), false);
      });
    });
  segments
    .command('delete')
    .argument('<name>')
    .option('--workspace <id>', 'workspace id')
    .action(async (name: string, opts: Opts) => {
      await withContext(async (ctx) => {
        await deleteSegment(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name, cliActor());
        process.stdout.write(`deleted ${name}\n`);
      });
    });
  segments
    .command('recompute')
    .option('--workspace <id>', 'workspace id')
    .description('Recompute every score, stage and segment now (what the worker does on schedule)')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => {
        const started = performance.now();
        const result = await recomputeAudiences(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print({ ms: Math.round(performance.now() - started), score_changes: result.scoreChanges, stage_moves: result.stageMoves, segments: result.segments }, false);
      });
    });
}
