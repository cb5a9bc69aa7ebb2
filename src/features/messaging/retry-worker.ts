import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import type { Mailer } from './send-gate.ts';

export interface RetryWorker {
  start(): void;
  /** One round now (tests, the CLI); resolves when done. */
  runOnce(now?: Date): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Retries due messages (soft bounces, failed webhooks and SMS) through the gate's
 * transports, every few seconds. Several workers may run: each claims its messages
 * with FOR UPDATE SKIP LOCKED and a lease, so none is attempted twice at once.
 */
export function createRetryWorker(db: Kysely<Database>, mailer: Mailer, logger: Logger, intervalMs = 5_000): RetryWorker {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  const round = async (now?: Date) => {
    try {
      // Rounds of 100 until nothing is due: a backlog drains without waiting for the interval.
      for (let i = 0; i < 50; i += 1) {
        const r = await mailer.retryDue(db, { now, limit: 100 });
        if (r.attempted > 0) logger.info(r, 'message retries ran');
        if (r.attempted < 100) break;
      }
    } catch (error) {
      logger.error({ err: error }, 'message retries failed; trying again at the next interval');
    }
  };
  const runOnce = (now?: Date) => (current = current.then(() => round(now)));
  return {
    start() {
      if (timer) return;
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
