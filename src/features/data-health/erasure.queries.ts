import { sql, type Kysely } from 'kysely';
import { containingPatterns } from '../../platform/db/like-patterns.ts';
import type { Database } from '../../platform/db/schema.ts';

/** Erasure: the person's values in stored snapshots (worst-offender examples) become "[erased]". */
export async function redactHealthSnapshots(db: Kysely<Database>, workspaceId: string, values: string[]): Promise<number> {
  let changed = 0;
  for (const value of values) {
    // The value as it appears inside a JSON string (quotes and backslashes escaped).
    const inJson = JSON.stringify(value).slice(1, -1);
    const result = await sql`update data_health_snapshots set figures = replace(figures::text, ${inJson}, '[erased]')::jsonb
      where workspace_id = ${workspaceId}::uuid and figures::text ilike any(${containingPatterns([inJson])}::text[])`.execute(db);
    changed += Number(result.numAffectedRows ?? 0);
  }
  return changed;
}
