import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { TableMaintenance } from '../../platform/db/maintenance.ts';
import { findAccountIdsByExternalIds } from '../accounts/index.ts';
import { systemActor } from '../audit/index.ts';
import { takeHealthSnapshot } from '../data-health/index.ts';
import { applyTrackingPlan, listTrackingPlanVersions } from '../tracking-plan/index.ts';
import { enrichAllAccounts, getEnrichmentSettings, updateEnrichmentSettings } from '../enrichment/index.ts';
import { acceptEvents, countPendingEvents, processInbox } from '../ingest/index.ts';
import { createOpportunities, type OpportunityInput } from '../opportunities/index.ts';
import { createWorkspace, listWorkspaces } from '../workspaces/index.ts';
import { applyDemoAudiences } from './demo-audiences.ts';
import { importDemoContactsCsv } from './demo-csv-import.ts';
import { DEFAULT_BATCH_SIZE, generateDemoEvents, resolveDemoOptions, type DemoOptions } from './demo-generator.ts';
import { seedDemoConsent } from './demo-consent.ts';
import { applyDemoTemplates } from './demo-templates.ts';
import { applyDemoNurtureJourney } from './demo-nurture.ts';
import { seedDemoCosts } from './demo-costs.ts';
import type { DemoOpportunity } from './demo-opportunities.ts';
import { DEMO_FREE_MAIL_DOMAINS } from './demo-people.ts';

export const DEMO_WORKSPACE_NAME = 'Demo';

export interface SeedProgress {
  events: number;
  estimatedEvents: number;
  accounts: number;
  totalAccounts: number;
  opportunities: number;
  elapsedMs: number;
  eventsPerSecond: number;
}

export interface SeedOptions extends DemoOptions {
  /** The workspace to fill, found by name or created. Default "Demo". */
  workspaceName?: string | undefined;
  /** Events per acceptEvents call and per processing chunk. Default 1,000. */
  batchSize?: number | undefined;
  onProgress?: ((progress: SeedProgress) => void) | undefined;
  /** Vacuums the inbox and hot tables where autovacuum does not run (PGlite). */
  maintenance?: TableMaintenance | undefined;
}

export interface SeedResult {
  workspaceId: string;
  /** False when a workspace of that name already existed and was filled again. */
  createdWorkspace: boolean;
  /** Events sent through ingest (duplicates of an earlier seed are sent, then dropped). */
  events: number;
  /** Events ingest refused; always 0 unless the generator and the validator disagree. */
  rejected: number;
  opportunities: number;
  accounts: number;
  /** What importing examples/contacts.csv wrote (a refused row is in the sample on purpose). */
  csvImport: { jobId: string | null; inserted: number; updated: number; unchanged: number; refused: number };
  elapsedMs: number;
  /** The data-health score of the snapshot taken after seeding. */
  healthScore: number | null;
}

const DRAIN_POLL_MS = 100;

/**
 * Fills the demo workspace through the real ingest path (acceptEvents, then processInbox,
 * batch by batch, so identity stitching runs as it does in production), then adds the
 * accounts' opportunities. Safe to re-run with the same seed: events are de-duplicated by
 * messageId and opportunities by external id.
 *
 * @example
 * const result = await seedDemoWorkspace(db.kysely, { scale: 0.1, seed: 7, onProgress: (p) => console.log(p.events) });
 */
export async function seedDemoWorkspace(db: Kysely<Database>, options: SeedOptions = {}): Promise<SeedResult> {
  const resolved = resolveDemoOptions(options);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const { workspaceId, created } = await findOrCreateWorkspace(db, options.workspaceName ?? DEMO_WORKSPACE_NAME);
  await applyDemoTrackingPlan(db, workspaceId);
  await configureDemoEnrichment(db, workspaceId);
  const startedAt = performance.now();
  const result: SeedResult = {
    workspaceId, createdWorkspace: created, events: 0, rejected: 0, opportunities: 0, accounts: 0,
    csvImport: { jobId: null, inserted: 0, updated: 0, unchanged: 0, refused: 0 }, elapsedMs: 0, healthScore: null,
  };
  let pending: DemoOpportunity[] = [];
  const report = () => {
    result.elapsedMs = Math.round(performance.now() - startedAt);
    options.onProgress?.({
      events: result.events,
      estimatedEvents: Math.max(resolved.estimatedEvents, result.events),
      accounts: result.accounts,
      totalAccounts: resolved.accounts,
      opportunities: result.opportunities,
      elapsedMs: result.elapsedMs,
      eventsPerSecond: result.elapsedMs > 0 ? Math.round((result.events * 1000) / result.elapsedMs) : 0,
    });
  };
  for (const batch of generateDemoEvents({ ...options, batchSize })) {
    if (batch.events.length > 0) {
      const accepted = await acceptEvents(db, workspaceId, { events: batch.events, receivedAt: new Date() });
      result.rejected += accepted.rejected.length;
      await processInbox(db, { chunkSize: batchSize, ...(options.maintenance ? { maintenance: options.maintenance } : {}) });
      result.events += batch.events.length;
    }
    result.accounts = batch.accountsDone;
    pending = await insertOpportunities(db, workspaceId, [...pending, ...batch.opportunities], result);
    report();
  }
  // Another worker may hold the inbox lock and still be processing our last events.
  while ((await countPendingEvents(db, workspaceId)) > 0) {
    const outcome = await processInbox(db, { chunkSize: batchSize, ...(options.maintenance ? { maintenance: options.maintenance } : {}) });
    if (outcome.events + outcome.duplicates === 0) await new Promise((resolve) => setTimeout(resolve, DRAIN_POLL_MS));
  }
  await insertOpportunities(db, workspaceId, pending, result);
  const imported = await importDemoContactsCsv(db, workspaceId);
  result.csvImport = { jobId: imported.jobId, inserted: imported.inserted, updated: imported.updated, unchanged: imported.unchanged, refused: imported.refused };
  // Contacts were enriched as ingest processed them; accounts get their time zone here.
  await enrichAllAccounts(db, workspaceId);
  // Scores, stages and segments over the finished data (opportunities feed the stages).
  await applyDemoAudiences(db, workspaceId);
  await seedDemoConsent(db, workspaceId);
  await applyDemoTemplates(db, workspaceId);
  await applyDemoNurtureJourney(db, workspaceId);
  await seedDemoCosts(db, workspaceId, resolved.anchorMs, resolved.scale);
  result.healthScore = (await takeHealthSnapshot(db, workspaceId)).score;
  report();
  return result;
}

/**
 * The demo company's tracking plan (demo-tracking-plan.yaml), applied before any event so
 * that ingest checks every demo event; a workspace that already has a plan keeps its own.
 */
async function applyDemoTrackingPlan(db: Kysely<Database>, workspaceId: string): Promise<void> {
  if ((await listTrackingPlanVersions(db, workspaceId)).length > 0) return;
  const source = readFileSync(new URL('./demo-tracking-plan.yaml', import.meta.url), 'utf8');
  await applyTrackingPlan(db, workspaceId, source, systemActor('demo'), 'demo-tracking-plan.yaml');
}

/**
 * The demo's free-mail providers live on reserved `.example` domains that no maintained
 * list has: the workspace setting makes enrichment treat them as personal addresses.
 */
async function configureDemoEnrichment(db: Kysely<Database>, workspaceId: string): Promise<void> {
  const settings = await getEnrichmentSettings(db, workspaceId);
  if (DEMO_FREE_MAIL_DOMAINS.every((d) => settings.extraFreeMailDomains.includes(d))) return;
  await updateEnrichmentSettings(db, workspaceId, { extraFreeMailDomains: [...new Set([...settings.extraFreeMailDomains, ...DEMO_FREE_MAIL_DOMAINS])] }, systemActor('demo'));
}

async function findOrCreateWorkspace(db: Kysely<Database>, name: string): Promise<{ workspaceId: string; created: boolean }> {
  const existing = (await listWorkspaces(db)).find((w) => w.name === name);
  if (existing) return { workspaceId: existing.id, created: false };
  const workspace = await createWorkspace(db, name);
  return { workspaceId: workspace.id, created: true };
}

/** Inserts the deals whose accounts exist; returns those still waiting for their account. */
async function insertOpportunities(db: Kysely<Database>, workspaceId: string, deals: DemoOpportunity[], result: SeedResult): Promise<DemoOpportunity[]> {
  if (deals.length === 0) return [];
  const accountIds = await findAccountIdsByExternalIds(db, workspaceId, [...new Set(deals.map((d) => d.accountExternalId))]);
  const ready: OpportunityInput[] = [];
  const waiting: DemoOpportunity[] = [];
  for (const deal of deals) {
    const accountId = accountIds.get(deal.accountExternalId);
    if (!accountId) {
      waiting.push(deal);
      continue;
    }
    const { externalId, name, amount, currency, stage, createdDate, closedDate } = deal;
    ready.push({ accountId, externalId, name, amount, currency, stage, createdDate, closedDate });
  }
  result.opportunities += await createOpportunities(db, workspaceId, ready, { skipExisting: true });
  return waiting;
}
