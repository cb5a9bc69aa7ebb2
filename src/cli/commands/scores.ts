import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import { applyScoringModel, backtestModel, explainScores, getScoringModel, listScoringModels } from '../../features/audiences/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

interface Opts {
  workspace?: string;
  json?: boolean;
}

/** `keel scores ...`: scoring models, explanations and backtests. */
export function registerScoreCommands(program: Command): void {
  const scores = program.command('scores').description('Scoring models (YAML, schemas/scoring-model.schema.json), explanations and backtests');
  scores
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => {
        const rows = await listScoringModels(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(rows.map((m) => ({ name: m.name, description: m.description, computed_at: m.computed_at?.toISOString() ?? null })), false);
      });
    });
  scores
    .command('show')
    .argument('<model>')
    .option('--workspace <id>', 'workspace id')
    .action(async (name: string, opts: Opts) => {
      await withContext(async (ctx) => print((await getScoringModel(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name)).definition, true));
    });
  scores
    .command('apply')
    .argument('<file>', 'a scoring model YAML file')
    .option('--workspace <id>', 'workspace id')
    .description('Create or replace a model, then recompute scores, stages and segments')
    .action(async (file: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const applied = await applyScoringModel(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), readFileSync(file, 'utf8'), cliActor());
        print({ model: applied.model.name, created: applied.created, score_changes: applied.recompute.scoreChanges, stage_moves: applied.recompute.stageMoves }, false);
      });
    });
  scores
    .command('explain')
    .argument('<contact>', 'email or contact id')
    .option('--changes <n>', 'how many recent changes', '10')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description("A contact's scores, the points of each rule, and the latest changes with their rule")
    .action(async (contact: string, opts: Opts & { changes: string }) => {
      await withContext(async (ctx) => {
        const result = await explainScores(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), contact, { changes: Number(opts.changes) || 10 });
        if (opts.json) return print(result, true);
        if (result.scores.length === 0) process.stdout.write('no points from any model\n');
        for (const s of result.scores) {
          process.stdout.write(`${s.model}: total ${s.total} (fit ${s.fit}, engagement ${s.engagement})\n`);
          for (const r of s.rules) process.stdout.write(`  ${r.points > 0 ? '+' : ''}${r.points}\t${r.kind}\t${r.rule}\n`);
        }
        process.stdout.write('recent changes:\n');
        print(result.changes.map((c) => ({ at: c.at.toISOString(), model: c.model, rule: c.rule, from: c.points_before, to: c.points_after })), false);
      });
    });
  scores
    .command('backtest')
    .argument('<model>')
    .option('--bands <n>', 'how many score bands', '5')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Conversion per score band, ROC AUC and a suggested MQL threshold from won and lost opportunities')
    .action(async (name: string, opts: Opts & { bands: string }) => {
      await withContext(async (ctx) => {
        const result = await backtestModel(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name, { bands: Number(opts.bands) || 5 });
        if (opts.json) return print(result, true);
        process.stdout.write(`${result.model}: ${result.opportunities} closed opportunities (${result.won} won), ROC AUC ${result.roc_auc?.toFixed(3) ?? 'n/a'}\n`);
        print(result.bands.map((b) => ({ scores: `${b.min}..${b.max}`, opportunities: b.opportunities, won: b.won, conversion: `${(b.conversion * 100).toFixed(1)}%` })), false);
        const t = result.suggested_mql_threshold;
        process.stdout.write(t ? `suggested MQL threshold: ${t.threshold} (catches ${(t.truePositiveRate * 100).toFixed(0)}% of wins, ${(t.falsePositiveRate * 100).toFixed(0)}% of losses)\n` : 'no threshold: need both won and lost opportunities\n');
        process.stdout.write(`(${result.note})\n`);
      });
    });
}
