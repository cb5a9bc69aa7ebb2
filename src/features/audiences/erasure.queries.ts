import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

// Tables that hold a contact's derived state, and the column naming the contact.
const CONTACT_STATE: Array<[table: string, column: string]> = [
  ['segment_members', 'member_id'],
  ['segment_membership_history', 'member_id'],
  ['contact_score_parts', 'contact_id'],
  ['contact_scores', 'contact_id'],
  ['score_changes', 'contact_id'],
  ['contact_stages', 'contact_id'],
  ['stage_history', 'contact_id'],
  ['audience_queue', 'entity_id'],
];

/** Erasure: scores, reasons, stages and memberships (with their history) of the person's contacts. */
export async function eraseAudienceStateOfContacts(db: Kysely<Database>, workspaceId: string, contactIds: string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  let removed = 0;
  for (const [table, column] of CONTACT_STATE) {
    const result = await sql`delete from ${sql.table(table)} where workspace_id = ${workspaceId}::uuid and ${sql.ref(column)} = any(${contactIds}::uuid[])`.execute(db);
    removed += Number(result.numAffectedRows ?? 0);
  }
  return removed;
}
