import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { JobQueue, SendJobOptions } from '../../platform/jobs/job-queue.ts';
import type { Logger } from '../../platform/logger.ts';
import type { JourneyEffects } from './effects.ts';
import { createBatchHandler } from './step-worker.ts';
import type { JourneyEngine, StepJob, StepScheduler } from './run-engine.ts';
import { jobIdOf } from './step-keys.ts';
import { rescheduleStalledRuns, scanJourneyTriggers } from './trigger-scan.ts';

/** The pg-boss queue of journey step executions. */
export const STEP_QUEUE = 'journey-steps';
/** Step jobs a worker fetches at once (run in chunks of about chunkBudgetMs each). */
export const STEP_BATCH_SIZE = 500;

export interface JourneyRuntimeOptions {
  /** Seconds a message step holds its lease (and a step job may run) before another worker may take it. */
  leaseSeconds?: number | undefined;
  /** Milliseconds between trigger scans (segment entries, events, stage moves, dates). */
  scanMs?: number | undefined;
  /** Step jobs fetched at once by a worker. */
  batchSize?: number | undefined;
  /**
   * Milliseconds one transaction of a batch should last: a fetched batch runs in chunks
   * sized to this, with a turn of the event loop between chunks, so that on PGlite (one
   * connection) HTTP requests get the database between chunks.
   */
  chunkBudgetMs?: number | undefined;
}

/** Journeys as a running system: the engine over pg-boss, the step workers and the trigger scan. */
export interface JourneyRuntime {
  readonly engine: JourneyEngine;
  /** Starts step workers and the trigger scan in this process (roles worker/all). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Scans triggers and runs every due step job until nothing is due (tests, `keel journeys
   * run`); returns the number of step jobs run.
   */
  runDue(options?: { maxRounds?: number }): Promise<number>;
}

export function createJourneyRuntime(db: Kysely<Database>, queue: JobQueue, effects: JourneyEffects, logger: Logger, options: JourneyRuntimeOptions = {}): JourneyRuntime {
  const leaseSeconds = options.leaseSeconds ?? 300;
  const jobOptions = (job: StepJob, at: Date): SendJobOptions => ({
    // The job id is fixed by (run, token): scheduling the same token twice stores one job.
    id: jobIdOf(job.runId, job.token),
    startAfter: at,
    // A step whose lease another worker holds is retried at a steady pace until the lease ends;
    // a run whose job runs out of retries is rescheduled by the stalled-run check.
    retryLimit: 50,
    retryDelaySeconds: Math.min(30, Math.max(1, Math.round(leaseSeconds / 4))),
    retryBackoff: false,
    expireInSeconds: leaseSeconds,
  });
  const scheduler: StepScheduler = {
    async schedule(trx, job, at) {
      await queue.send(STEP_QUEUE, job, jobOptions(job, at), trx);
    },
    async scheduleMany(trx, jobs) {
      await queue.sendMany(STEP_QUEUE, jobs.map(({ job, at }) => ({ data: job, options: jobOptions(job, at) })), trx);
    },
    wake: () => queue.nudge(STEP_QUEUE),
    prepare: () => queue.ensureQueue(STEP_QUEUE),
  };
  const engine: JourneyEngine = { db, effects, scheduler, now: () => new Date(), logger, leaseSeconds };
  const handle = createBatchHandler(engine, logger, options.chunkBudgetMs ?? 50);
  const batchSize = options.batchSize ?? STEP_BATCH_SIZE;
  let running = false;
  let loop: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wakeScan: (() => void) | undefined;
  const scanOnce = async () => {
    await scanJourneyTriggers(engine);
    await rescheduleStalledRuns(engine, leaseSeconds * 3 * 1000);
  };
  return {
    engine,
    async start() {
      if (running) return;
      running = true;
      await queue.work<StepJob>(STEP_QUEUE, { batchSize }, handle);
      loop = (async () => {
        while (running) {
          await scanOnce().catch((error: unknown) => logger.error({ err: error }, 'journey trigger scan failed; retrying'));
          await new Promise<void>((resolve) => {
            timer = setTimeout(resolve, options.scanMs ?? 1000);
            wakeScan = resolve;
          });
        }
      })();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      wakeScan?.();
      await loop;
      await queue.stop();
    },
    async runDue({ maxRounds = 1000 } = {}) {
      let total = 0;
      for (let round = 0; round < maxRounds; round += 1) {
        const enrolled = await scanJourneyTriggers(engine);
        const ran = await queue.drain<StepJob>(STEP_QUEUE, handle, { batchSize });
        total += ran;
        if (enrolled === 0 && ran === 0) break;
      }
      return total;
    },
  };
}
