import type { Kysely } from 'kysely';
import type { DbKind } from '../../platform/db/connection.ts';
import { createTableMaintenance, type MaintenancePolicy, type TableMaintenance } from '../../platform/db/maintenance.ts';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import { listWorkspaces } from '../workspaces/index.ts';
import { drainAudienceQueue, recomputeAudiences } from './derivation.service.ts';

export interface AudienceWorker {
  start(): void;
  /** Wakes the worker now (work was queued) instead of at its next poll. */
  nudge(): void;
  stop(): Promise<void>;
}

export interface AudienceWorkerOptions {
  /** How often the queue of changed contacts is drained when nobody nudges. */
  pollMs?: number;
  /** How often everything is recomputed (time windows and decay move with the clock). */
  fullRecomputeMs?: number;
  /** Where autovacuum does not run (PGlite, or a server with it off), the worker vacuums its queue and the derived tables. */
  kind?: DbKind;
}

/**
 * Where autovacuum does not run: the queue is emptied as fast as it fills (its dead rows
 * are all there is to it); the derived tables are rewritten row by row as scores, stages
 * and memberships change, and their lookups by key slow down as dead rows pile up (on the
 * 1M-contact bench, with 9M dead membership rows a full recompute of 20 segments took
 * 43.0 s; 37.8 s on a freshly loaded database).
 */
export const AUDIENCE_MAINTENANCE: MaintenancePolicy = {
  tables: {
    audience_queue: { base: 5_000, scale: 0, action: 'vacuum analyze' },
    segment_members: { base: 10_000, scale: 0.2, action: 'vacuum analyze' },
    contact_score_parts: { base: 10_000, scale: 0.2, action: 'vacuum analyze' },
    contact_scores: { base: 10_000, scale: 0.2, action: 'vacuum analyze' },
    contact_stages: { base: 10_000, scale: 0.2, action: 'vacuum analyze' },
  },
};

/** Notes what passes and recomputes wrote, table by table (see AUDIENCE_MAINTENANCE). */
export async function noteAudienceWrites(maintenance: TableMaintenance, written: { taken?: number; scoreChanges: number; stageMoves: number; membershipChanges: number }): Promise<void> {
  await maintenance.noteWrites('audience_queue', written.taken ?? 0);
  await maintenance.noteWrites('segment_members', written.membershipChanges);
  await maintenance.noteWrites('contact_score_parts', written.scoreChanges);
  await maintenance.noteWrites('contact_scores', written.scoreChanges);
  await maintenance.noteWrites('contact_stages', written.stageMoves);
}

/**
 * Drains the derivation queue (scores -> stages -> segments for changed contacts) and
 * runs the full recompute on a schedule. Runs where the ingest worker runs (role
 * worker/all), which nudges it after storing events, so a change does not wait for the
 * next poll.
 */
export function createAudienceWorker(db: Kysely<Database>, logger: Logger, options: AudienceWorkerOptions = {}): AudienceWorker {
  const pollMs = options.pollMs ?? 250;
  const fullMs = options.fullRecomputeMs ?? 15 * 60_000;
  let running = false;
  let loop: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let nudged = false;
  let lastFull = Date.now();
  let maintenance: TableMaintenance | undefined;

  async function tick(): Promise<void> {
    maintenance ??= await createTableMaintenance(db, options.kind ?? 'postgres', AUDIENCE_MAINTENANCE, logger);
    const outcomes = await drainAudienceQueue(db);
    if (outcomes.length > 0) logger.debug({ runs: outcomes.length, contacts: outcomes.reduce((n, o) => n + o.contacts, 0) }, 'audiences derived');
    for (const outcome of outcomes) await noteAudienceWrites(maintenance, outcome);
    if (Date.now() - lastFull >= fullMs) {
      lastFull = Date.now();
      for (const workspace of await listWorkspaces(db)) {
        const result = await recomputeAudiences(db, workspace.id);
        const membershipChanges = Object.values(result.segments).reduce((n, c) => n + c.entered + c.exited, 0);
        await noteAudienceWrites(maintenance, { scoreChanges: result.scoreChanges, stageMoves: result.stageMoves, membershipChanges });
        logger.info({ workspaceId: workspace.id, scoreChanges: result.scoreChanges, stageMoves: result.stageMoves }, 'scheduled audience recompute');
      }
    }
  }

  async function run(): Promise<void> {
    while (running) {
      nudged = false;
      try {
        await tick();
      } catch (error) {
        logger.error({ err: error }, 'audience worker failed; retrying');
      }
      if (!running) break;
      // Work queued while this pass ran is due at once.
      if (nudged) continue;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pollMs);
        wake = resolve;
      });
      wake = undefined;
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    nudge() {
      nudged = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
