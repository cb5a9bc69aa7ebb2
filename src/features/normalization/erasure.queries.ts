import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

/** Erasure: the validation issues of the person's contacts (they quote the raw values). */
export async function eraseValidationIssuesOfContacts(db: Kysely<Database>, workspaceId: string, contactIds: string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  const result = await sql`delete from field_validation_issues
    where workspace_id = ${workspaceId}::uuid and object_type = 'contact' and object_id = any(${contactIds}::uuid[])`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
