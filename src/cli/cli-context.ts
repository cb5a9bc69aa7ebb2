import { loadConfig, type Config } from '../platform/config.ts';
import { openDatabase, type Db } from '../platform/db/connection.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { createLogger, type Logger } from '../platform/logger.ts';

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
