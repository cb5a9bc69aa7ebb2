import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './connection.ts';

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../migrations');
// Arbitrary constant: every Keel process that migrates takes this advisory lock first,
// so two processes starting at once apply each migration exactly once.
const MIGRATION_LOCK_KEY = 7_324_001;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 4)),
      name: file.slice(5, -4),
      sql: readFileSync(join(dir, file), 'utf8'),
    }));
}

/** Applies pending migrations, each in its own transaction. Returns the names applied. */
export async function migrateToLatest(db: Db, migrations: Migration[] = listMigrations()): Promise<string[]> {
  await db.rawTransaction(async (raw) => {
    await raw.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await raw.exec(`create table if not exists keel_migrations (
      version integer primary key,
      name text not null,
      applied_at timestamptz not null default now()
    )`);
  });
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.rawTransaction(async (raw) => {
      await raw.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const rows = await raw.query('select 1 from keel_migrations where version = $1', [migration.version]);
      if (rows.length > 0) return false;
      await raw.exec(migration.sql);
      await raw.query('insert into keel_migrations (version, name) values ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(`${String(migration.version).padStart(4, '0')}_${migration.name}`);
  }
  return applied;
}
