import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import { systemActor } from '../audit/index.ts';
import { retryFailedErasures } from './privacy.service.ts';
import { applyRetentionEverywhere } from './retention.ts';

export interface PrivacyWorker {
  start(): void;
  /** One round now (tests, the CLI); resolves when done. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

const ACTOR = systemActor('privacy-worker');

/**
 * The scheduled privacy jobs of the worker role: retention per workspace and retries of
 * failed erasures, on a simple interval (hourly by default). Several workers may run it:
 * both jobs are idempotent.
 */
export function createPrivacyWorker(db: Kysely<Database>, logger: Logger, intervalMs = 3_600_000): PrivacyWorker {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const round = async () => {
    try {
      const retention = await applyRetentionEverywhere(db, ACTOR);
      const retried = await retryFailedErasures(db, ACTOR);
      if (retention.some((r) => r.events > 0) || retried > 0) logger.info({ retention, retried }, 'privacy jobs ran');
    } catch (error) {
      logger.error({ err: error }, 'privacy jobs failed; retrying at the next interval');
    }
  };
  const runOnce = () => (current = current.then(round));
  return {
    start() {
      if (timer) return;
      // First round shortly after start, not at once: startup stays quick.
      const first = setTimeout(() => void runOnce(), 10_000);
      first.unref();
      timer = setInterval(() => void runOnce(), intervalMs);
      timer.unref();
    },
    runOnce,
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await current;
    },
  };
}
