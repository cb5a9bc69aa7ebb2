import { sql, type Kysely } from 'kysely';
import type { Logger } from '../logger.ts';
import type { DbKind } from './connection.ts';
import type { Database } from './schema.ts';

export interface TableMaintenance {
  /** Records rows written (inserted, updated or deleted) to a table; vacuums when due. */
  noteWrites(table: string, rows: number): Promise<void>;
}

export interface MaintenancePolicy {
  /**
   * Per table: run `action` after `base + scale * rows in the table` writes, the rule
   * autovacuum itself uses (its defaults are 50 + 10% for analyze). Append-mostly tables
   * need only analyze; vacuuming them each time cost more than it saved (measured).
   */
  tables: Record<string, { base: number; scale: number; action: 'analyze' | 'vacuum analyze' }>;
}

/**
 * PGlite runs PostgreSQL in single-user mode, where no autovacuum daemon runs, and a
 * server may have autovacuum turned off. Without it a queue table that is written and
 * emptied all day (the ingest inbox) fills with dead rows, and the planner never learns
 * how big the tables have grown: measured, a message-id lookup meant for a unique index
 * scanned a whole workspace's events instead, 47 ms a chunk at 200k events and growing.
 * This does autovacuum's job from the writer's side, only where autovacuum does not run.
 */
export async function createTableMaintenance(db: Kysely<Database>, kind: DbKind, policy: MaintenancePolicy, logger?: Logger): Promise<TableMaintenance> {
  let manual = kind === 'pglite';
  if (!manual) {
    const row = await sql<{ on: boolean }>`select current_setting('autovacuum') = 'on' as on`.execute(db);
    manual = row.rows[0]?.on !== true;
    if (manual) logger?.warn('autovacuum is off on this PostgreSQL server: Keel vacuums and analyzes its busiest tables itself');
  }
  const written = new Map<string, number>();
  const due = new Map<string, number>();

  async function rowsIn(table: string): Promise<number> {
    const row = await sql<{ n: number }>`select greatest(reltuples, 0)::float8 as n from pg_class where oid = ${table}::regclass`.execute(db);
    return row.rows[0]?.n ?? 0;
  }

  return {
    async noteWrites(table, rows) {
      const rule = policy.tables[table];
      if (!manual || !rule || rows === 0) return;
      if (!due.has(table)) due.set(table, rule.base + rule.scale * (await rowsIn(table)));
      const total = (written.get(table) ?? 0) + rows;
      if (total < due.get(table)!) {
        written.set(table, total);
        return;
      }
      const started = performance.now();
      if (rule.action === 'analyze') await sql`analyze ${sql.table(table)}`.execute(db);
      else await sql`vacuum (analyze) ${sql.table(table)}`.execute(db);
      written.set(table, 0);
      due.set(table, rule.base + rule.scale * (await rowsIn(table)));
      logger?.debug({ table, ms: Math.round(performance.now() - started), nextAfter: due.get(table) }, `${rule.action} done`);
    },
  };
}
