import type { Command } from 'commander';
import { createApp } from '../../app.ts';
import { systemActor } from '../../features/audit/index.ts';
import { DEMO_NURTURE_KEY, DEMO_WORKSPACE_NAME, seedDemoDuplicates, seedDemoEngagement, seedDemoWorkspace, type DemoDedupeResult, type SeedProgress } from '../../features/demo/index.ts';
import { listSegmentMembers } from '../../features/audiences/index.ts';
import { enrollInJourney, getJourney, launchJourney } from '../../features/journeys/index.ts';
import { createWorkspace, listWorkspaces, type CreatedWorkspace } from '../../features/workspaces/index.ts';
import type { Db } from '../../platform/db/connection.ts';
import { createTableMaintenance } from '../../platform/db/maintenance.ts';
import { INGEST_MAINTENANCE } from '../../features/ingest/index.ts';
import { createLogger, type Logger } from '../../platform/logger.ts';
import { withContext } from '../cli-context.ts';

/** A one-line progress report: a bar with rate and ETA on a terminal, plain lines elsewhere. */
function createProgressPrinter(stream: NodeJS.WriteStream) {
  let lastLine = 0;
  return (p: SeedProgress, done = false) => {
    const now = Date.now();
    if (!done && now - lastLine < (stream.isTTY ? 200 : 5_000)) return;
    lastLine = now;
    const share = Math.min(1, p.events / Math.max(1, p.estimatedEvents));
    const eta = p.eventsPerSecond > 0 ? Math.max(0, Math.round((p.estimatedEvents - p.events) / p.eventsPerSecond)) : 0;
    const text = `demo: ${p.events.toLocaleString('en-US')} / ~${p.estimatedEvents.toLocaleString('en-US')} events, ${p.accounts}/${p.totalAccounts} accounts, ${p.opportunities} opportunities, ${p.eventsPerSecond.toLocaleString('en-US')} events/s${done ? '' : `, ETA ${eta}s`}`;
    if (stream.isTTY) {
      const width = 24;
      const filled = Math.round(share * width);
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}\u001b[K${done ? '\n' : ''}`);
    } else {
      stream.write(`${text}\n`);
    }
  };
}

function printKeys(workspace: CreatedWorkspace, base: string | undefined): void {
  console.log(`Demo workspace ${workspace.id}`);
  console.log(`  write key (ingest):  ${workspace.writeKey.key}`);
  console.log(`  admin key (API):     ${workspace.adminKey.key}`);
  if (base) {
    console.log(`  try: curl -H "Authorization: Bearer ${workspace.adminKey.key}" ${base}/api/v1/stats`);
  }
  console.log('  Keys are shown once; `keel keys create` makes more.\n');
}

async function seedWithProgress(db: Db, options: { scale?: number; seed?: number }) {
  const progress = createProgressPrinter(process.stderr);
  let last: SeedProgress | undefined;
  const maintenance = await createTableMaintenance(db.kysely, db.kind, INGEST_MAINTENANCE);
  const result = await seedDemoWorkspace(db.kysely, {
    ...options,
    maintenance,
    onProgress: (p) => {
      last = p;
      progress(p);
    },
  });
  if (last) progress(last, true);
  return result;
}

const DEMO_FIRST_WAVE = 200;

/** Launches the demo's nurture journey (its segment's members enter; the workers take the steps). */
async function launchDemoJourney(db: Db, logger: Logger, workspaceId: string): Promise<void> {
  const keel = createApp({ db, logger });
  try {
    const journey = await getJourney(db.kysely, workspaceId, DEMO_NURTURE_KEY);
    if (journey.state !== 'draft') return;
    // Live for everyone who enters the segment from now on; of the members it already has, a
    // first wave of DEMO_FIRST_WAVE enters at once. Enrolling all 12,005 at scale 1 kept the
    // embedded API (PGlite: one connection) from answering /health for over a minute while
    // their steps ran (a fresh `npm start`, 2026-12-03).
    await launchJourney(keel.journeys.engine, workspaceId, DEMO_NURTURE_KEY, systemActor('demo'), { includeExisting: false });
    const { members } = await listSegmentMembers(db.kysely, workspaceId, 'Enterprise accounts', { limit: DEMO_FIRST_WAVE });
    let entered = 0;
    for (const member of members) if ((await enrollInJourney(keel.journeys.engine, workspaceId, DEMO_NURTURE_KEY, { contactId: member.id })).enrolled) entered += 1;
    console.log(`Journey ${DEMO_NURTURE_KEY} is live: a first wave of ${entered} enterprise contacts entered, new segment members enter as they qualify (\`npx keel journeys counts ${DEMO_NURTURE_KEY}\`; messages land in the outbox).`);
  } finally {
    await keel.journeys.stop();
  }
}

/**
 * Once the server's workers have sent some nurture email, seeds a few labelled opens and
 * clicks (demo-engagement.ts) so `keel reports campaign enterprise-nurture` shows more than
 * sends. Polls every 5 s for up to 10 minutes (waiting for 30 emails in the first 30 s, then for one); timers do not keep the process alive.
 */
function seedEngagementWhenSent(db: Db, logger: Logger, workspaceId: string): void {
  const sleep = () => new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref());
  void (async () => {
    for (let attempt = 0; attempt < 120; attempt += 1) {
      await sleep();
      const seeded = await seedDemoEngagement(db.kysely, workspaceId, { minMessages: attempt < 6 ? 30 : 1 });
      if (seeded) {
        console.log(`Demo: seeded ${seeded.humanOpens} opens (plus ${seeded.machineOpens} proxy prefetches) and ${seeded.clicks} clicks on ${seeded.messages} nurture emails (\`npx keel reports campaign ${DEMO_NURTURE_KEY}\`).`);
        return;
      }
    }
  })().catch((error: unknown) => logger.warn({ err: error }, 'demo: seeding tracking hits on the nurture email failed'));
}

function printDedupe(result: DemoDedupeResult): void {
  const line = (s: DemoDedupeResult['contacts']) => `${s.entity}s: ${s.merged} merged, ${s.queued} in the review queue`;
  console.log(`Dedupe after the seed: ${line(result.contacts)}; ${line(result.accounts)} (see \`keel dedupe review\`).`);
}

/** `npm start` on an empty database: create the demo workspace, print its keys, fill it. */
export async function seedDemoOnEmptyDatabase(db: Db, base: string, logger: Logger): Promise<void> {
  const existing = await listWorkspaces(db.kysely);
  if (existing.length > 0) {
    // Keys are shown once, at creation; say how to get a new one.
    console.log(`Workspaces: ${existing.map((w) => `${w.name} (${w.id})`).join(', ')}.`);
    console.log('Lost a key? Stop Keel, then `npx keel keys create --kind admin --workspace ID` (embedded PGlite is one process).\n');
    return;
  }
  const workspace = await createWorkspace(db.kysely, DEMO_WORKSPACE_NAME);
  printKeys(workspace, base);
  console.log('Filling the demo workspace through the ingest pipeline; the API answers meanwhile.');
  try {
    const result = await seedWithProgress(db, {});
    console.log(`Demo workspace ready: ${result.events.toLocaleString('en-US')} events, ${result.opportunities} opportunities in ${(result.elapsedMs / 1000).toFixed(1)} s.`);
    console.log(`Data health score ${result.healthScore ?? '—'} / 100 (\`npx keel health\`); tracking-plan violations: \`npx keel tracking-plan violations\`.`);
    printDedupe(await seedDemoDuplicates(db.kysely, result.workspaceId));
    await launchDemoJourney(db, logger, result.workspaceId);
    seedEngagementWhenSent(db, logger, result.workspaceId);
  } catch (error) {
    logger.error({ err: error }, 'demo seeding failed; run `keel demo` to finish it');
  }
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('Create or refill the "Demo" workspace with a seeded B2B company (accounts, contacts, sessions, UTM visits, opportunities)')
    .option('--scale <n>', '1 = ~2k accounts, 20k contacts, 500k events; fractions allowed; at most 50', '1')
    .option('--seed <n>', 'random seed (same seed, same data)', '1')
    .action(async (opts: { scale: string; seed: string }) => {
      const scale = Number(opts.scale);
      const seed = Number(opts.seed);
      if (!Number.isFinite(scale) || scale <= 0) throw new Error(`--scale must be a positive number, got "${opts.scale}"`);
      if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed must be a non-negative integer, got "${opts.seed}"`);
      await withContext(async ({ db }) => {
        const existing = (await listWorkspaces(db.kysely)).find((w) => w.name === DEMO_WORKSPACE_NAME);
        if (!existing) printKeys(await createWorkspace(db.kysely, DEMO_WORKSPACE_NAME), undefined);
        const result = await seedWithProgress(db, { scale, seed });
        console.log(
          `Demo workspace ${result.workspaceId}: ${result.events.toLocaleString('en-US')} events sent (${result.rejected} rejected), ` +
            `${result.accounts} accounts, ${result.opportunities} opportunities in ${(result.elapsedMs / 1000).toFixed(1)} s; data health score ${result.healthScore ?? '—'} / 100; ` +
            `examples/contacts.csv imported: ${result.csvImport.inserted} inserted, ${result.csvImport.updated} updated, ${result.csvImport.unchanged} unchanged, ${result.csvImport.refused} refused.`,
        );
        printDedupe(await seedDemoDuplicates(db.kysely, result.workspaceId));
        await launchDemoJourney(db, createLogger('warn'), result.workspaceId);
      });
    });
}
