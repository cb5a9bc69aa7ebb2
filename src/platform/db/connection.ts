import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../config.ts';
import type { Database } from './schema.ts';
import { usePreparedStatements } from './prepared-statements.ts';
import { SerializedPGliteDialect } from './serialized-pglite-dialect.ts';

export type DbKind = 'pglite' | 'postgres';

/** One database handle for the whole process: Kysely plus what Kysely cannot do (COPY). */
export interface Db {
  readonly kind: DbKind;
  readonly kysely: Kysely<Database>;
  /** Bulk-loads CSV text (no header) into `table(columns)` with COPY. */
  copyCsv(table: string, columns: readonly string[], csv: string): Promise<void>;
  /** Runs `fn` in one transaction with a raw runner that also takes multi-statement scripts. */
  rawTransaction<T>(fn: (raw: RawRunner) => Promise<T>): Promise<T>;
  /**
   * One statement with `$n` parameters, or (without values) a script of several, outside
   * any transaction of Kysely's; on PGlite it waits its turn on the one connection. The
   * job queue (platform/jobs) runs pg-boss through this.
   */
  executeSql(text: string, values?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

export interface RawRunner {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** A script of several statements, without parameters. */
  exec(script: string): Promise<void>;
}

export interface OpenOptions {
  /** Maximum pool size on PostgreSQL (ignored on PGlite, which is one connection). */
  poolSize?: number;
}

export async function openDatabase(target: DatabaseTarget, options: OpenOptions = {}): Promise<Db> {
  return target.kind === 'postgres' ? openPostgres(target.url, options) : openPGlite(target.dataDir);
}

async function openPGlite(dataDir: string | undefined): Promise<Db> {
  let unlock = () => {};
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    unlock = lockDataDir(dataDir);
  }
  // int8 as a string, as node-postgres returns it, so both drivers give the same types.
  const parsers = { 20: (value: string) => value };
  const pglite = dataDir ? new PGlite(dataDir, { parsers }) : new PGlite({ parsers });
  await pglite.waitReady;
  const kysely = new Kysely<Database>({ dialect: new SerializedPGliteDialect(pglite) });
  return {
    kind: 'pglite',
    kysely,
    async copyCsv(table, columns, csv) {
      // Goes through Kysely's connection queue so that it never interleaves with a transaction.
      await kysely.connection().execute(async () => {
        await pglite.query(`copy ${table} (${columns.join(', ')}) from '/dev/blob' with (format csv)`, [], {
          blob: new Blob([csv]),
        });
      });
    },
    async rawTransaction(fn) {
      return kysely.connection().execute(() =>
        pglite.transaction(async (tx) =>
          fn({
            query: async (text, params) => (await tx.query(text, params)).rows as never[],
            exec: async (script) => {
              await tx.exec(script);
            },
          }),
        ),
      );
    },
    async executeSql(text, values) {
      return kysely.connection().execute(async () => {
        // PGlite's query() takes one statement; a script without parameters goes through exec().
        if (values && values.length > 0) return { rows: (await pglite.query(text, values as unknown[])).rows as Record<string, unknown>[] };
        const results = await pglite.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
      });
    },
    async close() {
      await kysely.destroy();
      unlock();
    },
  };
}

/**
 * PGlite keeps its data in one process's memory and flushes it to the folder; a second
 * process on the same folder would corrupt it. A pid file makes that a clear error.
 */
function lockDataDir(dataDir: string): () => void {
  const lockFile = join(dataDir, 'keel.pid');
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      return () => rmSync(lockFile, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new Error(
          `The embedded database in ${dataDir} is in use by another Keel process (pid ${pid}). ` +
            'Stop it first (or delete keel.pid there if no Keel is running), or use PostgreSQL through KEEL_DATABASE_URL so that several processes can share the data.',
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openPostgres(url: string, options: OpenOptions): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle connection the server ends (restart, drop database ... with (force) after
  // close) is dropped from the pool; without a listener its error would crash the process.
  pool.on('error', () => undefined);
  usePreparedStatements(pool);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(kysely);
  return {
    kind: 'postgres',
    kysely,
    async copyCsv(table, columns, csv) {
      const { from } = await import('pg-copy-streams');
      const client = await pool.connect();
      try {
        const stream = client.query(from(`copy ${table} (${columns.join(', ')}) from stdin with (format csv)`));
        await new Promise<void>((resolve, reject) => {
          stream.on('finish', resolve);
          stream.on('error', reject);
          stream.end(csv);
        });
      } finally {
        client.release();
      }
    },
    async rawTransaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async (text, params) => (await client.query(text, params)).rows,
          exec: async (script) => {
            await client.query(script);
          },
        });
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async executeSql(text, values) {
      const result = await pool.query(text, values && values.length > 0 ? (values as unknown[]) : undefined);
      // A multi-statement script answers one result per statement; the last one is what callers read.
      const last = Array.isArray(result) ? (result.at(-1) as pg.QueryResult | undefined) : result;
      return { rows: (last?.rows ?? []) as Record<string, unknown>[] };
    },
    async close() {
      await kysely.destroy();
    },
  };
}
