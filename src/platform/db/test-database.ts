import { openDatabase, type Db } from './connection.ts';
import { migrateToLatest } from './migrate.ts';
import { createScratchDatabase } from './scratch-database.ts';

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
  const scratch = await createScratchDatabase(serverUrl, 'keel_test');
  const db = await openDatabase({ kind: 'postgres', url: scratch.url }, { poolSize: 5 });
  await migrateToLatest(db);
  return {
    ...db,
    async close() {
      await db.close();
      await scratch.drop();
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
  const scratch = await createScratchDatabase(serverUrl, 'keel_test');
  return { env: { KEEL_DATABASE_URL: scratch.url }, drop: scratch.drop };
}
