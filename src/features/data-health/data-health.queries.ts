import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

/** One snapshot per workspace and day: a second one the same day replaces the first. */
export async function upsertSnapshot(db: Q, workspaceId: string, day: string, score: number, figures: Record<string, unknown>): Promise<void> {
  await db
    .insertInto('data_health_snapshots')
    .values({ workspace_id: workspaceId, day, score, figures: JSON.stringify(figures) })
    .onConflict((oc) => oc.columns(['workspace_id', 'day']).doUpdateSet({ score, figures: JSON.stringify(figures), taken_at: sql`now()` }))
    .execute();
}

/** The latest `limit` snapshots, oldest first (for a trend). */
export async function selectSnapshots(db: Q, workspaceId: string, limit: number) {
  const rows = await db
    .selectFrom('data_health_snapshots')
    .select([sql<string>`day::text`.as('day'), 'taken_at', 'score', 'figures'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('day', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse();
}

/** Workspaces without a snapshot for the day: the daily job's work list. */
export async function selectWorkspacesWithoutSnapshot(db: Q, day: string): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    select w.id from workspaces w
    where not exists (select 1 from data_health_snapshots s where s.workspace_id = w.id and s.day = ${day}::date)
    order by w.id`.execute(db);
  return rows.rows.map((r) => r.id);
}
