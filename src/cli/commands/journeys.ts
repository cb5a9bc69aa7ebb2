import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createApp } from '../../app.ts';
import { cliActor } from '../../features/audit/index.ts';
import { applyJourney, countJourney, enrollInJourney, launchJourney, listContactRuns, listJourneys, migrateRuns, setJourneyState, showJourney, simulateJourney, type JourneyRuntime } from '../../features/journeys/index.ts';
import { createJourneyEffects } from '../../journey-effects.ts';
import { createMailer } from '../../features/messaging/index.ts';
import { print, resolveWorkspace, withContext, type CliContext } from '../cli-context.ts';

interface Opts {
  workspace?: string;
  json?: boolean;
}

/** The journeys runtime of a one-shot command (its queue stops before the database closes). */
async function withJourneys<T>(fn: (ctx: CliContext, journeys: JourneyRuntime, workspaceId: string) => Promise<T>, workspace: string | undefined): Promise<T> {
  return withContext(async (ctx) => {
    const keel = createApp({ db: ctx.db, logger: ctx.logger, mail: ctx.config.mail, jobs: ctx.config.jobs });
    try {
      return await fn(ctx, keel.journeys, await resolveWorkspace(ctx, workspace));
    } finally {
      await keel.journeys.stop();
      await keel.mailer.close();
    }
  });
}

/** A YAML file, or every .yaml/.yml file of a directory (sorted). */
function readJourneyFiles(path: string): Array<{ file: string; text: string }> {
  if (!statSync(path).isDirectory()) return [{ file: path, text: readFileSync(path, 'utf8') }];
  return readdirSync(path)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ file: join(path, f), text: readFileSync(join(path, f), 'utf8') }));
}

/** `keel journeys ...`: the same services as /api/v1/journeys. */
export function registerJourneyCommands(program: Command): void {
  const journeys = program.command('journeys').description('Journeys: automated multi-step nurture flows defined in YAML (schemas/journey.schema.json)');
  journeys
    .command('apply')
    .argument('<path>', 'a journey YAML file or a directory of them')
    .option('--workspace <id>', 'workspace id')
    .description('Create journeys (draft) or store edited ones as new versions')
    .action(async (path: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        for (const { file, text } of readJourneyFiles(path)) {
          try {
            const applied = await applyJourney(ctx.db.kysely, workspaceId, text, cliActor());
            process.stdout.write(`${applied.journey.key}: ${applied.created ? 'created' : applied.changed ? 'new version' : 'unchanged'} (version ${applied.version}, ${applied.journey.state})\n`);
          } catch (error) {
            throw new Error(`${file}: ${(error as Error).message}`);
          }
        }
      });
    });
  journeys
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => {
        const rows = await listJourneys(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(opts.json ? rows : rows.map((j) => ({ key: j.key, name: j.name, state: j.state, version: j.current_version })), opts.json === true);
      });
    });
  journeys
    .command('show')
    .argument('<key>')
    .option('--workspace <id>', 'workspace id')
    .action(async (key: string, opts: Opts) => {
      await withContext(async (ctx) => print(await showJourney(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), key), true));
    });
  registerStateCommands(journeys);
  registerRunCommands(journeys);
}

function registerStateCommands(journeys: Command): void {
  journeys
    .command('launch')
    .argument('<key>')
    .option('--include-existing', 'segment triggers: enroll the current members too')
    .option('--workspace <id>', 'workspace id')
    .description('Make a journey live, or resume a paused one')
    .action(async (key: string, opts: Opts & { includeExisting?: boolean }) => {
      await withJourneys(async (_ctx, j, ws) => {
        const r = await launchJourney(j.engine, ws, key, cliActor(), { includeExisting: opts.includeExisting });
        print({ key, state: 'live', enrolled: r.enrolled, resumed: r.resumed }, false);
      }, opts.workspace);
    });
  for (const [action, state] of [['pause', 'paused'], ['archive', 'archived']] as const) {
    journeys
      .command(action)
      .argument('<key>')
      .option('--workspace <id>', 'workspace id')
      .description(action === 'pause' ? 'No one enters; runs hold at their next step' : 'No one enters; runs exit at their next step')
      .action(async (key: string, opts: Opts) => {
        await withContext(async (ctx) => print({ key, state: (await setJourneyState(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), key, state, cliActor())).state }, false));
      });
  }
  journeys
    .command('migrate')
    .argument('<key>')
    .option('--workspace <id>', 'workspace id')
    .description('Move active runs on older versions to the current version')
    .action(async (key: string, opts: Opts) => {
      await withJourneys(async (_ctx, j, ws) => print(await migrateRuns(j.engine, ws, key, cliActor()), true), opts.workspace);
    });
}

function registerRunCommands(journeys: Command): void {
  journeys
    .command('enroll')
    .argument('<key>')
    .requiredOption('--email <address>', 'the contact')
    .option('--workspace <id>', 'workspace id')
    .description('Enroll a contact under the entry rules (a running worker takes the steps)')
    .action(async (key: string, opts: Opts & { email: string }) => {
      await withJourneys(async (_ctx, j, ws) => print(await enrollInJourney(j.engine, ws, key, { email: opts.email }), false), opts.workspace);
    });
  journeys
    .command('counts')
    .argument('<key>')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (key: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const counts = await countJourney(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), key);
        if (opts.json) return print(counts, true);
        process.stdout.write(`${counts.key} (${counts.state}, version ${counts.version}): ${JSON.stringify(counts.runs)}\n`);
        print(counts.steps, false);
      });
    });
  journeys
    .command('runs')
    .requiredOption('--email <address>', 'the contact')
    .option('--journey <key>', 'only this journey')
    .option('--workspace <id>', 'workspace id')
    .description("A contact's runs with every step execution")
    .action(async (opts: Opts & { email: string; journey?: string }) => {
      await withContext(async (ctx) => print(await listContactRuns(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), { email: opts.email }, opts.journey), true));
    });
  journeys
    .command('run')
    .option('--workspace <id>', 'workspace id')
    .description('Scan triggers and run every due step now, then exit (what a worker does continuously)')
    .action(async (opts: Opts) => {
      await withJourneys(async (_ctx, j) => print({ steps_run: await j.runDue() }, false), opts.workspace);
    });
  journeys
    .command('simulate')
    .argument('<file>', 'a journey YAML file')
    .option('--days <n>', 'simulated days', '30')
    .option('--sample <n>', 'only this many contacts of the audience')
    .option('--workspace <id>', 'workspace id')
    .description('Dry run on a simulated clock: nothing is stored or sent')
    .action(async (file: string, opts: Opts & { days: string; sample?: string }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error(`--days must be an integer from 1 to 365, got "${opts.days}"`);
      const sample = opts.sample === undefined ? undefined : Number(opts.sample);
      if (sample !== undefined && (!Number.isInteger(sample) || sample < 1)) throw new Error(`--sample must be a positive integer, got "${opts.sample}"`);
      await withContext(async (ctx) => {
        const mailer = createMailer(ctx.config.mail);
        try {
          const report = await simulateJourney(ctx.db.kysely, createJourneyEffects(mailer), ctx.logger, await resolveWorkspace(ctx, opts.workspace), readFileSync(file, 'utf8'), { days, sample });
          print(report, true);
        } finally {
          await mailer.close();
        }
      });
    });
}
