import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import { listWorkspaces } from '../workspaces/index.ts';
import { drainAudienceQueue, recomputeAudiences } from './derivation.service.ts';

export interface AudienceWorker {
  start(): void;
  stop(): Promise<void>;
}

export interface AudienceWorkerOptions {
  /** How often the queue of changed contacts is drained. */
  pollMs?: number;
  /** How often everything is recomputed (time windows and decay move with the clock). */
  fullRecomputeMs?: number;
}

/**
 * Drains the derivation queue (scores -> stages -> segments for changed contacts) and
 * runs the full recompute on a schedule. Runs where the ingest worker runs (role worker/all).
 */
export function createAudienceWorker(db: Kysely<Database>, logger: Logger, options: AudienceWorkerOptions = {}): AudienceWorker {
  const pollMs = options.pollMs ?? 250;
  const fullMs = options.fullRecomputeMs ?? 15 * 60_000;
  let running = false;
  let loop: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let lastFull = Date.now();

  async function tick(): Promise<void> {
    const outcomes = await drainAudienceQueue(db);
    if (outcomes.length > 0) logger.debug({ runs: outcomes.length, contacts: outcomes.reduce((n, o) => n + o.contacts, 0) }, 'audiences derived');
    if (Date.now() - lastFull >= fullMs) {
      lastFull = Date.now();
      for (const workspace of await listWorkspaces(db)) {
        const result = await recomputeAudiences(db, workspace.id);
        logger.info({ workspaceId: workspace.id, scoreChanges: result.scoreChanges, stageMoves: result.stageMoves }, 'scheduled audience recompute');
      }
    }
  }

  async function run(): Promise<void> {
    while (running) {
      try {
        await tick();
      } catch (error) {
        logger.error({ err: error }, 'audience worker failed; retrying');
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, pollMs);
        wake = resolve;
      });
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
