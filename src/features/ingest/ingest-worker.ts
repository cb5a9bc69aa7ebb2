import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Logger } from '../../platform/logger.ts';
import type { DbKind } from '../../platform/db/connection.ts';
import { createTableMaintenance, type TableMaintenance } from '../../platform/db/maintenance.ts';
import { INGEST_MAINTENANCE, processInbox } from './ingest-processor.ts';

export interface IngestWorker {
  start(): void;
  /** Wakes the worker now instead of at its next poll. */
  nudge(): void;
  /** Finishes the chunk in progress, then stops. */
  stop(): Promise<void>;
}

/**
 * Polls the inbox and processes it. Polling (not LISTEN/NOTIFY) keeps one code path for
 * PGlite and PostgreSQL. A nudge shortens the wait to `lingerMs`: a single event shows up
 * fast, while under load events gather into full chunks instead of one transaction each.
 */
export function createIngestWorker(
  db: Kysely<Database>,
  kind: DbKind,
  logger: Logger,
  options: { pollMs?: number; lingerMs?: number; /** Called after events were stored (what derives from them is due). */ onStored?: () => void } = {},
): IngestWorker {
  const { pollMs = 500, lingerMs = 50 } = options;
  let maintenance: TableMaintenance | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let pending = false;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  async function run(): Promise<void> {
    while (running) {
      pending = false;
      try {
        maintenance ??= await createTableMaintenance(db, kind, INGEST_MAINTENANCE, logger);
        const outcome = await processInbox(db, { logger, fullChunksOnly: true, maintenance });
        if (outcome.events > 0) {
          logger.debug(outcome, 'ingest worker processed events');
          options.onStored?.();
        }
      } catch (error) {
        logger.error({ err: error }, 'ingest worker failed; retrying');
      }
      if (running) await sleep(pending ? lingerMs : pollMs);
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
      if (pending) return;
      pending = true;
      // Cut a long idle sleep short, to a linger that lets a burst gather into one chunk.
      const cut = wake;
      if (cut) setTimeout(cut, lingerMs);
    },
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
