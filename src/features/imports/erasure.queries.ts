import { sql, type Kysely } from 'kysely';
import { containingPatterns } from '../../platform/db/like-patterns.ts';
import type { Database } from '../../platform/db/schema.ts';

/** Erasure: refused import rows that quote one of the person's values. */
export async function eraseImportRefusalsMentioning(db: Kysely<Database>, workspaceId: string, values: string[]): Promise<number> {
  if (values.length === 0) return 0;
  const result = await sql`delete from import_refusals
    where workspace_id = ${workspaceId}::uuid and (value ilike any(${containingPatterns(values)}::text[]) or reason ilike any(${containingPatterns(values)}::text[]))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
