import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import { listWorkspacesWithoutSnapshot, takeHealthSnapshot, type HealthOptions } from './data-health.service.ts';

export interface HealthSnapshotJob {
  start(): void;
  stop(): Promise<void>;
}

/** Takes today's snapshot for every workspace that has none yet; returns how many it took. */
export async function takeDueHealthSnapshots(db: Kysely<Database>, options: HealthOptions = {}, logger?: Logger): Promise<number> {
  const day = (options.now ?? new Date()).toISOString().slice(0, 10);
  let taken = 0;
  for (const workspaceId of await listWorkspacesWithoutSnapshot(db, day)) {
    try {
      await takeHealthSnapshot(db, workspaceId, options);
      taken += 1;
    } catch (error) {
      // One workspace's failure must not keep the others from their snapshot.
      logger?.error({ err: error, workspaceId }, 'data-health snapshot failed');
    }
  }
  return taken;
}

/**
 * The worker role's daily snapshot: checks every `intervalMs` (an hour) whether a workspace
 * lacks today's snapshot. Checking often and taking once a day keeps it right across
 * restarts and several worker processes (a second snapshot the same day replaces the first).
 */
export function createHealthSnapshotJob(db: Kysely<Database>, logger: Logger, options: HealthOptions & { intervalMs?: number; firstRunMs?: number } = {}): HealthSnapshotJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = takeDueHealthSnapshots(db, options, logger)
        .then((n) => (n > 0 ? logger.info({ snapshots: n }, 'data-health snapshots taken') : undefined))
        .catch((error: unknown) => logger.error({ err: error }, 'data-health snapshot job failed'))
        .finally(() => schedule(options.intervalMs ?? 3_600_000));
    }, ms);
    timer.unref();
  };
  return {
    start() {
      if (!stopped) return;
      stopped = false;
      // Not at once: a starting process (and a demo being seeded) comes first.
      schedule(options.firstRunMs ?? 120_000);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
