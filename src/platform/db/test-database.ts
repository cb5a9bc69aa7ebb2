import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from './connection.ts';
import { migrateToLatest } from './migrate.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite by default, or a new
 * database on the server named by KEEL_TEST_DATABASE_URL (dropped again by `close`).
 */
export async function openTestDatabase(): Promise<Db> {
  const serverUrl = process.env.KEEL_TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({ kind: 'pglite', dataDir: undefined });
    await migrateToLatest(db);
    return db;
  }
  const name = `keel_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 5 });
  await migrateToLatest(db);
  return {
    ...db,
    async close() {
      await db.close();
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** A test-file title suffix naming the database the suite runs on. */
export const testDatabaseLabel = process.env.KEEL_TEST_DATABASE_URL ? 'postgres' : 'pglite';

/**
 * Environment for a Keel child process with its own empty database: a new PGlite folder,
 * or a new database on the KEEL_TEST_DATABASE_URL server. `drop` removes it.
 */
export async function createChildDatabaseEnv(dataDir: string): Promise<{ env: NodeJS.ProcessEnv; drop(): Promise<void> }> {
  const serverUrl = process.env.KEEL_TEST_DATABASE_URL;
  if (!serverUrl) return { env: { KEEL_DATA_DIR: dataDir, KEEL_DATABASE_URL: '' }, drop: async () => {} };
  const name = `keel_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { KEEL_DATABASE_URL: url.toString() },
    async drop() {
      const cleanup = new pg.Client({ connectionString: serverUrl });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}
