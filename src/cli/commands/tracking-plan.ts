import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import {
  applyTrackingPlan,
  buildTrackingPlanJsonSchema,
  getTrackingPlan,
  listUnknowns,
  listViolations,
  RULE_KINDS,
} from '../../features/tracking-plan/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

type Opts = { workspace?: string; json?: boolean };

/** `keel tracking-plan apply|show|violations|unknown|schema`: thin over the tracking-plan service. */
export function registerTrackingPlanCommands(program: Command): void {
  const plan = program.command('tracking-plan').description('Declared events and traits; violations and unknowns found at ingest');
  plan
    .command('apply')
    .argument('<file>', 'tracking-plan YAML (schema: schemas/tracking-plan.schema.json)')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Validate FILE and make it the plan in force, as a new version (audited)')
    .action(async (file: string, opts: Opts) => {
      const source = readPlanFile(file);
      await withContext(async (ctx) => print(await applyTrackingPlan(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), source, cliActor(), file), opts.json === true));
    });
  plan
    .command('show')
    .option('--version <n>', 'a past version')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON (with the parsed plan)')
    .description('The plan in force: its version and YAML')
    .action(async (opts: Opts & { version?: string }) => {
      await withContext(async (ctx) => {
        const row = await getTrackingPlan(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), opts.version === undefined ? undefined : parseLimit(opts.version, 1_000_000));
        if (opts.json) return print(row, true);
        process.stdout.write(`# version ${row.version}, applied ${row.applied_at.toISOString()} by ${row.applied_by}\n${row.source_yaml}`);
      });
    });
  plan
    .command('violations')
    .option('--rule <rule>', RULE_KINDS.join('|'))
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Flagged and blocked events with the rule, field, value and reason')
    .action(async (opts: Opts & { rule?: string; limit: string }) => {
      if (opts.rule !== undefined && !(RULE_KINDS as readonly string[]).includes(opts.rule)) throw new Error(`--rule must be one of ${RULE_KINDS.join(', ')}, got "${opts.rule}"`);
      await withContext(async (ctx) => {
        const limit = parseLimit(opts.limit);
        const rows = (await listViolations(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { rule: opts.rule, limit })).slice(0, limit);
        print(opts.json ? rows : rows.map((v) => ({ at: v.event_timestamp.toISOString(), action: v.action, rule: v.rule, subject: v.subject, reason: v.reason.slice(0, 120) })), opts.json === true);
      });
    });
  plan
    .command('unknown')
    .option('--kind <kind>', 'event|property|trait')
    .option('--limit <n>', 'how many (most seen first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Events, properties and traits the plan does not declare, with counts and an example')
    .action(async (opts: Opts & { kind?: string; limit: string }) => {
      if (opts.kind !== undefined && !['event', 'property', 'trait'].includes(opts.kind)) throw new Error(`--kind must be event, property or trait, got "${opts.kind}"`);
      await withContext(async (ctx) => {
        const rows = await listUnknowns(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), opts.kind as 'event' | undefined, parseLimit(opts.limit));
        print(opts.json ? rows : rows.map((u) => ({ kind: u.kind, name: u.name, seen: Number(u.seen), last_seen: u.last_seen_at.toISOString(), example: u.example_value })), opts.json === true);
      });
    });
  plan
    .command('schema')
    .description('Print the JSON Schema of tracking-plan YAML (the content of schemas/tracking-plan.schema.json)')
    .action(() => {
      process.stdout.write(`${JSON.stringify(buildTrackingPlanJsonSchema(), null, 2)}\n`);
    });
}

function readPlanFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read tracking-plan file "${file}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
