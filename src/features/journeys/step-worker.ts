import { setImmediate as nextTurn } from 'node:timers/promises';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import type { QueuedJob } from '../../platform/jobs/job-queue.ts';
import type { Logger } from '../../platform/logger.ts';
import { executeStepJob, runMessageSteps } from './message-steps.ts';
import type { JourneyEngine, StepJob } from './run-engine.ts';
import { runStepBatch, type MessageWork } from './step-batch.ts';

const MAX_CHUNK = 1000;

/**
 * The handler of fetched step jobs: chunks of the batch, each in one transaction
 * (runStepBatch), sized so a chunk lasts about `budgetMs`, with a turn of the event loop
 * between chunks. Message steps then run outside the transaction, email steps sent together
 * (runMessageSteps). A chunk whose
 * transaction fails runs again one job per transaction, so one failing step holds back only
 * itself. Any failure fails the whole fetched batch: pg-boss retries it, and the jobs that
 * succeeded are stale on retry (their run's token moved on).
 */
export function createBatchHandler(engine: JourneyEngine, logger: Logger, budgetMs: number): (jobs: QueuedJob<StepJob>[]) => Promise<void> {
  let size = 50;
  return async (jobs) => {
    const failures: Error[] = [];
    for (let at = 0; at < jobs.length; ) {
      const chunk = jobs.slice(at, at + size).map((j) => j.data);
      at += chunk.length;
      const started = performance.now();
      failures.push(...(await runChunk(engine, logger, chunk)));
      const ms = performance.now() - started;
      // Halve a chunk that took too long; double one that took under half the budget.
      if (ms > budgetMs) size = Math.max(1, Math.floor(size / 2));
      else if (ms < budgetMs / 2 && chunk.length === size) size = Math.min(MAX_CHUNK, size * 2);
      await nextTurn();
    }
    if (failures.length > 0) throw new AggregateError(failures, `${failures.length} of ${jobs.length} journey steps failed: ${failures[0]!.message}`);
  };
}

async function runChunk(engine: JourneyEngine, logger: Logger, jobs: StepJob[]): Promise<Error[]> {
  await engine.scheduler.prepare();
  let messages: MessageWork[];
  try {
    messages = await inTransaction(engine.db, (trx) => runStepBatch(trx, engine, jobs));
  } catch (error) {
    if (jobs.length === 1) return failed(logger, jobs[0]!, error);
    logger.warn({ err: error, jobs: jobs.length }, 'journey step batch failed; running its steps one job at a time');
    const failures: Error[] = [];
    for (const job of jobs) {
      try {
        await executeStepJob(engine, job);
      } catch (e) {
        failures.push(...failed(logger, job, e));
      }
    }
    return failures;
  }
  engine.scheduler.wake();
  return (await runMessageSteps(engine, messages)).flatMap((f) => failed(logger, f.job, f.error));
}

function failed(logger: Logger, job: StepJob, error: unknown): Error[] {
  logger.warn({ err: error, runId: job.runId }, 'journey step failed; pg-boss retries it');
  return [error as Error];
}
