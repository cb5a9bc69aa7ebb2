import { CompiledQuery, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { Db } from '../db/connection.ts';
import type { Database } from '../db/schema.ts';
import type { Logger } from '../logger.ts';

/** pg-boss's own tables live here (it creates and migrates the schema itself). */
export const JOB_SCHEMA = 'pgboss';

export interface QueuedJob<T> {
  id: string;
  data: T;
}

export interface SendJobOptions {
  /** A uuid: sending the same id twice stores one job (pg-boss ignores the second insert). */
  id?: string | undefined;
  startAfter?: Date | undefined;
  retryLimit?: number | undefined;
  retryDelaySeconds?: number | undefined;
  /** Double the delay on each retry (default true). */
  retryBackoff?: boolean | undefined;
  /** How long a fetched job may run before pg-boss hands it to another worker. */
  expireInSeconds?: number | undefined;
}

export interface WorkOptions {
  batchSize?: number | undefined;
}

/**
 * Keel's durable job queue: pg-boss 10 over Keel's own database handle, on PGlite as on
 * PostgreSQL. Jobs may be sent inside a caller's Kysely transaction (`trx`), so that a
 * state change and the job that follows it commit together or not at all.
 */
export interface JobQueue {
  start(): Promise<void>;
  /** Creates the queue if it is missing (pg-boss 10 needs it before send/work). */
  ensureQueue(name: string): Promise<void>;
  send<T extends object>(name: string, data: T, options?: SendJobOptions, trx?: Kysely<Database>): Promise<string | null>;
  /** Many jobs in one insert (ids already stored are skipped, as with send). */
  sendMany<T extends object>(name: string, jobs: ReadonlyArray<{ data: T; options?: SendJobOptions | undefined }>, trx?: Kysely<Database>): Promise<void>;
  /** Starts polling workers; each call of `handler` gets up to batchSize jobs. */
  work<T extends object>(name: string, options: WorkOptions, handler: (jobs: QueuedJob<T>[]) => Promise<void>): Promise<void>;
  /** Fetches and handles due jobs until none is due (tests, the simulator, one-shot CLI runs). */
  drain<T extends object>(name: string, handler: (jobs: QueuedJob<T>[]) => Promise<void>, options?: WorkOptions & { maxRounds?: number }): Promise<number>;
  /** Wakes this process's workers of a queue now instead of at their next poll. */
  nudge(name: string): void;
  /** Counts of jobs by state for one queue. */
  countByState(name: string): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

export interface JobQueueOptions {
  /** Seconds between polls of an idle worker; pg-boss refuses less than 0.5. */
  pollingIntervalSeconds?: number | undefined;
  /** Run pg-boss maintenance (expiry, archiving) in this process. */
  supervise?: boolean | undefined;
  /** Seconds between maintenance runs: how soon a job of a killed worker is found expired and retried. */
  maintenanceIntervalSeconds?: number | undefined;
}

/** pg-boss's `db` option over a Kysely handle: a transaction, or the pool outside one. */
export function kyselyExecutor(db: Kysely<Database>): PgBoss.Db {
  return {
    async executeSql(text: string, values: unknown[]) {
      const result = await db.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] };
    },
  };
}

export function createJobQueue(db: Db, logger: Logger, options: JobQueueOptions = {}): JobQueue {
  // On PGlite every statement waits its turn on the one connection (Db.executeSql), and
  // pg-boss's migration scripts (several statements, no parameters) go through exec().
  const executor: PgBoss.Db = { executeSql: (text, values) => db.executeSql(text, values) as Promise<{ rows: unknown[] }> };
  const boss = new PgBoss({
    db: executor,
    schema: JOB_SCHEMA,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2,
    supervise: options.supervise ?? true,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    // Keel schedules with startAfter; cron would add a second clock to reason about.
    schedule: false,
    migrate: true,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  const known = new Set<string>();
  const workerIds = new Map<string, string[]>();
  let started: Promise<void> | undefined;

  const toBossOptions = (o: SendJobOptions = {}): PgBoss.SendOptions => ({
    ...(o.id ? { id: o.id } : {}),
    ...(o.startAfter ? { startAfter: o.startAfter } : {}),
    retryLimit: o.retryLimit ?? 5,
    retryDelay: o.retryDelaySeconds ?? 2,
    retryBackoff: o.retryBackoff ?? true,
    expireInSeconds: o.expireInSeconds ?? 300,
  });

  const queue: JobQueue = {
    start() {
      started ??= boss.start().then(() => undefined);
      return started;
    },
    async ensureQueue(name) {
      if (known.has(name)) return;
      await queue.start();
      if (!(await boss.getQueue(name))) {
        try {
          await boss.createQueue(name);
        } catch (error) {
          // Another process created it between the check and the insert.
          if (!(await boss.getQueue(name))) throw error;
        }
      }
      known.add(name);
    },
    async send(name, data, sendOptions, trx) {
      // Inside a transaction the queue must exist already: on PGlite, creating it would wait
      // for the one connection the transaction holds.
      if (trx && !known.has(name)) throw new Error(`job queue ${name} is not ready: call ensureQueue("${name}") before the transaction`);
      await queue.ensureQueue(name);
      const bossOptions = toBossOptions(sendOptions);
      if (trx) bossOptions.db = kyselyExecutor(trx);
      return boss.send(name, data, bossOptions);
    },
    async sendMany(name, jobs, trx) {
      if (jobs.length === 0) return;
      if (trx && !known.has(name)) throw new Error(`job queue ${name} is not ready: call ensureQueue("${name}") before the transaction`);
      await queue.ensureQueue(name);
      const rows: PgBoss.JobInsert[] = jobs.map((j) => {
        const o = toBossOptions(j.options);
        const row: PgBoss.JobInsert = { name, data: j.data, retryLimit: o.retryLimit!, retryDelay: o.retryDelay!, retryBackoff: o.retryBackoff!, expireInSeconds: o.expireInSeconds! };
        if (o.id) row.id = o.id;
        // An ISO time ending in Z: pg-boss reads it as a moment, anything else as an interval.
        if (j.options?.startAfter) row.startAfter = j.options.startAfter.toISOString();
        return row;
      });
      await boss.insert(rows, trx ? { db: kyselyExecutor(trx) } : {});
    },
    async work(name, workOptions, handler) {
      await queue.ensureQueue(name);
      const id = await boss.work<object>(name, { batchSize: workOptions.batchSize ?? 20 }, async (jobs) => {
        await handler(jobs.map((j) => ({ id: j.id, data: j.data as never })));
      });
      workerIds.set(name, [...(workerIds.get(name) ?? []), id]);
    },
    async drain(name, handler, drainOptions = {}) {
      await queue.ensureQueue(name);
      let handled = 0;
      for (let round = 0; round < (drainOptions.maxRounds ?? 10_000); round += 1) {
        const jobs = await boss.fetch<object>(name, { batchSize: drainOptions.batchSize ?? 50 });
        if (jobs.length === 0) break;
        const ids = jobs.map((j) => j.id);
        try {
          await handler(jobs.map((j) => ({ id: j.id, data: j.data as never })));
          await boss.complete(name, ids);
        } catch (error) {
          await boss.fail(name, ids);
          throw error;
        }
        handled += jobs.length;
      }
      return handled;
    },
    nudge(name) {
      for (const id of workerIds.get(name) ?? []) boss.notifyWorker(id);
    },
    async countByState(name) {
      const result = await db.executeSql(`select state, count(*)::int as n from ${JOB_SCHEMA}.job where name = $1 group by state`, [name]);
      return Object.fromEntries(result.rows.map((r) => [String(r.state), Number(r.n)]));
    },
    async stop() {
      if (!started) return;
      await started.catch(() => undefined);
      // graceful: running handlers finish; close: false because the pool is Keel's.
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
      started = undefined;
    },
  };
  return queue;
}
