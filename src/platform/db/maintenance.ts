import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.ts';
import type { Database } from './schema.ts';
import type { DbKind } from './connection.ts';

export interface TableMaintenance {
  /** Records rows written (inserted, updated or deleted) to a table; vacuums when due. */
  noteWrites(table: string, rows: number): Promise<void>;
}

export interface MaintenancePolicy {
  /** Rows written to a table between two `vacuum (analyze)` runs of it. */
  thresholds: Record<string, number>;
}

/**
 * PGlite runs PostgreSQL in single-user mode, where no autovacuum daemon runs, and a
 * server may have autovacuum turned off. Without it, a queue table that is written and
 * emptied all day (the ingest inbox) fills with dead rows and every read of it slows
 * down, and the planner never learns the tables' sizes. This does the same job from the
 * writer's side, only where autovacuum does not.
 */
export async function createTableMaintenance(db: Kysely<Database>, kind: DbKind, policy: MaintenancePolicy, logger?: Logger): Promise<TableMaintenance> {
  let manual = kind === 'pglite';
  if (!manual) {
    const row = await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as on`.execute(db);
    manual = row.rows[0]?.on !== true;
    if (manual) logger?.warn('autovacuum is off on this PostgreSQL server: Keel vacuums its busiest tables itself');
  }
  const written = new Map<string, number>();
  return {
    async noteWrites(table, rows) {
      const threshold = policy.thresholds[table];
      if (!manual || threshold === undefined) return;
      const total = (written.get(table) ?? 0) + rows;
      if (total < threshold) {
        written.set(table, total);
        return;
      }
      written.set(table, 0);
      const started = performance.now();
      await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
      logger?.debug({ table, ms: Math.round(performance.now() - started) }, 'vacuumed');
    },
  };
}
