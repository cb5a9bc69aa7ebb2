import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

/** Erasure: candidate pairs of the person's contacts (their evidence quotes both records' values). */
export async function eraseDedupePairsOfContacts(db: Kysely<Database>, workspaceId: string, contactIds: string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  const result = await sql`delete from dedupe_pairs
    where workspace_id = ${workspaceId}::uuid and entity = 'contact'
      and (record_a = any(${contactIds}::uuid[]) or record_b = any(${contactIds}::uuid[]))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
