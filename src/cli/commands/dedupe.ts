import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { acceptPair, dedupeCsvFile, listMerges, listReviewQueue, rejectPair, runDedupe, undoMerge, type DedupeRunSummary } from '../../features/dedupe/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

/** `keel dedupe contacts|accounts|FILE.csv|review ...` and `keel merges list|undo`. */
export function registerDedupeCommands(program: Command): void {
  registerDedupeCommand(program);
  registerMergesCommand(program);
}

const formatCount = (n: number) => n.toLocaleString('en-US');

function printRunSummary(summary: DedupeRunSummary, json: boolean): void {
  if (json) return print(summary, true);
  const ratio = summary.all_pairs > 0 ? summary.candidate_pairs / summary.all_pairs : 0;
  process.stdout.write(
    `${summary.dry_run ? 'Dry run (nothing written)' : `Run ${summary.run_id}`}: ${formatCount(summary.records)} ${summary.entity}s, ` +
      `${formatCount(summary.candidate_pairs)} candidate pairs of ${formatCount(summary.all_pairs)} possible (${(ratio * 100).toPrecision(3)}%), ${summary.millis} ms\n` +
      `  at or above ${summary.thresholds.auto_merge ?? '(auto-merge off)'} (auto-merge): ${summary.above_auto_merge}${summary.dry_run ? '' : `, merged ${summary.merged}`}\n` +
      `  from ${summary.thresholds.review} up (review): ${summary.in_review_band}${summary.dry_run ? '' : `, queue now holds ${summary.queued}`}\n`,
  );
  for (const p of summary.top_pairs.slice(0, 10)) {
    process.stdout.write(`  ${p.action.padEnd(6)} ${p.probability.toFixed(4)}  ${p.record_a} ~ ${p.record_b}\n`);
    process.stdout.write(`         ${p.evidence.map((e) => `${e.field}: ${e.level} (${e.weight >= 0 ? '+' : ''}${e.weight.toFixed(1)})`).join(', ')}\n`);
  }
}

interface DedupeOptions {
  dryRun?: boolean;
  idColumn?: string;
  out?: string;
  fields?: string;
  threshold?: string;
  entity?: string;
  limit: string;
  workspace?: string;
  json?: boolean;
}

function registerDedupeCommand(program: Command): void {
  program
    .command('dedupe')
    .argument('<target>', 'contacts | accounts | a CSV file | review')
    .argument('[action]', 'with review: list (default) | accept | reject')
    .argument('[id]', 'with review accept/reject: the pair id')
    .option('--dry-run', 'score and show, write nothing')
    .option('--id-column <name>', 'CSV: the column holding each row\'s id')
    .option('--out <file>', 'CSV: where to write id_a,id_b,score', 'pairs.csv')
    .option('--fields <list>', 'CSV: "Column=kind,..." (kinds: given_name family_name name email phone company domain address code exact)')
    .option('--threshold <p>', 'CSV: lowest match probability written', '0.5')
    .option('--entity <entity>', 'review list: contact | account')
    .option('--limit <n>', 'review list: how many', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Find and merge duplicate contacts or accounts (auto-merge above the upper threshold, review queue between), review pairs, or dedupe any CSV')
    .action(async (target: string, action: string | undefined, id: string | undefined, opts: DedupeOptions) => {
      if (target === 'contacts' || target === 'accounts') {
        await withContext(async (ctx) => {
          const workspaceId = await resolveWorkspace(ctx, opts.workspace);
          printRunSummary(await runDedupe(ctx.db.kysely, workspaceId, target === 'contacts' ? 'contact' : 'account', { dryRun: opts.dryRun === true, actor: cliActor() }), opts.json === true);
        });
        return;
      }
      if (target === 'review') return reviewCommand(action ?? 'list', id, opts);
      await csvCommand(target, opts);
    });
}

async function csvCommand(file: string, opts: DedupeOptions): Promise<void> {
  if (!opts.idColumn) throw new Error(`--id-column is required to dedupe ${file} (the column holding each row's id)`);
  const threshold = Number(opts.threshold);
  const result = await dedupeCsvFile({ input: file, idColumn: opts.idColumn, out: opts.out ?? 'pairs.csv', fields: opts.fields, threshold });
  if (opts.json) return print(result, true);
  process.stdout.write(
    `${formatCount(result.records)} rows; compared ${result.fields.map((f) => `${f.name} (${f.kind})`).join(', ')}\n` +
      `${formatCount(result.stats.candidatePairs)} candidate pairs of ${formatCount(result.stats.allPairs)} possible; ${formatCount(result.pairsWritten)} pairs at or above ${threshold} written to ${opts.out}\n`,
  );
}

async function reviewCommand(action: string, id: string | undefined, opts: DedupeOptions): Promise<void> {
  if (action !== 'list' && action !== 'accept' && action !== 'reject') throw new Error(`dedupe review: action must be list, accept or reject, got "${action}"`);
  if (opts.entity && opts.entity !== 'contact' && opts.entity !== 'account') throw new Error(`--entity must be contact or account, got "${opts.entity}"`);
  await withContext(async (ctx) => {
    const workspaceId = await resolveWorkspace(ctx, opts.workspace);
    if (action === 'list') {
      const page = await listReviewQueue(ctx.db.kysely, workspaceId, opts.entity as 'contact' | 'account' | undefined, parseLimit(opts.limit));
      if (opts.json) return print(page.items, true);
      if (page.items.length === 0) return print([], false);
      for (const p of page.items) {
        process.stdout.write(`#${p.id} ${p.entity} ${p.probability.toFixed(4)}  ${p.record_a} ~ ${p.record_b}\n`);
        for (const e of p.evidence as Array<{ field: string; level: string; weight: number; a: string; b: string }>) {
          process.stdout.write(`    ${e.field.padEnd(12)} ${e.level.padEnd(20)} ${(e.weight >= 0 ? '+' : '') + e.weight.toFixed(2)}  "${e.a}" / "${e.b}"\n`);
        }
      }
      return;
    }
    if (!id) throw new Error(`dedupe review ${action}: give the pair id (see keel dedupe review)`);
    const decide = action === 'accept' ? acceptPair : rejectPair;
    print(await decide(ctx.db.kysely, workspaceId, id, cliActor()), opts.json === true);
  });
}

function registerMergesCommand(program: Command): void {
  const merges = program.command('merges').description('Merges of contacts and accounts, and undo');
  merges
    .command('list')
    .option('--entity <entity>', 'contact | account', 'contact')
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: { entity: string; limit: string; workspace?: string; json?: boolean }) => {
      if (opts.entity !== 'contact' && opts.entity !== 'account') throw new Error(`--entity must be contact or account, got "${opts.entity}"`);
      await withContext(async (ctx) => {
        const rows = await listMerges(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), opts.entity as 'contact' | 'account', parseLimit(opts.limit));
        print(opts.json ? rows : rows.map((m) => ({ id: m.id, winner: m.winner_id, loser: m.loser_id, reason: m.reason, merged_at: m.merged_at, undone_at: m.undone_at })), opts.json === true);
      });
    });
  merges
    .command('undo')
    .argument('<id>', 'merge id (see keel merges list)')
    .option('--entity <entity>', 'contact | account', 'contact')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Undo a merge exactly: the merged-away record, its events, identities and links come back')
    .action(async (id: string, opts: { entity: string; workspace?: string; json?: boolean }) => {
      if (opts.entity !== 'contact' && opts.entity !== 'account') throw new Error(`--entity must be contact or account, got "${opts.entity}"`);
      await withContext(async (ctx) => {
        print(await undoMerge(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), opts.entity as 'contact' | 'account', id, cliActor()), opts.json === true);
      });
    });
}
