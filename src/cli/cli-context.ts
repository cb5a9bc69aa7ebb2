import { loadConfig, type Config } from '../platform/config.ts';
import { openDatabase, type Db } from '../platform/db/connection.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { getWorkspace, listWorkspaces } from '../features/workspaces/index.ts';

export interface CliContext {
  config: Config;
  db: Db;
  logger: Logger;
}

/** Opens the configured database, migrated, for one CLI command; closes it afterwards. */
export async function withContext<T>(fn: (ctx: CliContext) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const db = await openDatabase(config.database);
  try {
    if (options.migrate !== false) await migrateToLatest(db);
    return await fn({ config, db, logger });
  } finally {
    await db.close();
  }
}

/** Prints a value as JSON (for --json and scripts) or as aligned text. */
export function print(value: unknown, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      process.stdout.write('(none)\n');
      return;
    }
    console.table(value);
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    process.stdout.write(`${key}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}\n`);
  }
}

/** --workspace may be left out when there is exactly one workspace. */
export async function resolveWorkspace({ db }: CliContext, id: string | undefined): Promise<string> {
  if (id) return (await getWorkspace(db.kysely, id)).id;
  const all = await listWorkspaces(db.kysely);
  if (all.length === 1) return all[0]!.id;
  throw new Error(all.length === 0 ? 'No workspace yet: run `keel workspace create NAME`' : 'Several workspaces exist: pass --workspace ID (see `keel workspace list`)');
}

/** Parses --limit: an integer from 1 to max, with an error naming the option. */
export function parseLimit(value: string, max = 500): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--limit must be an integer from 1 to ${max}, got "${value}"`);
  return n;
}
