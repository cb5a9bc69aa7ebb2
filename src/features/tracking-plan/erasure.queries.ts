import { sql, type Kysely } from 'kysely';
import { containingPatterns } from '../../platform/db/like-patterns.ts';
import type { Database } from '../../platform/db/schema.ts';

/**
 * Erasure: violations recorded for the person's events or quoting one of their values go;
 * an unknown's example that is theirs is blanked (its count stays: it holds nothing personal).
 */
export async function eraseTrackingPlanTraces(db: Kysely<Database>, workspaceId: string, messageIds: string[], values: string[]): Promise<number> {
  const patterns = containingPatterns(values);
  const violations = await sql`delete from tracking_plan_violations
    where workspace_id = ${workspaceId}::uuid
      and (message_id = any(${messageIds}::text[]) or value ilike any(${patterns}::text[]) or reason ilike any(${patterns}::text[]))`.execute(db);
  const unknowns = await sql`update tracking_plan_unknowns set example_value = null, example_message_id = 'erased'
    where workspace_id = ${workspaceId}::uuid
      and (example_message_id = any(${messageIds}::text[]) or example_value ilike any(${patterns}::text[]))`.execute(db);
  return Number(violations.numAffectedRows ?? 0) + Number(unknowns.numAffectedRows ?? 0);
}
