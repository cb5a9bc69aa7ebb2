import { sql, type Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Condition } from './conditions.ts';
import { compileCondition, joinAll } from './conditions.queries.ts';
import { loadCompileContext } from './segments.service.ts';

/**
 * Which of the given contacts match every condition (a journey's branch, its trigger's
 * filters; null: every contact): the segment compiler over a scope of those ids, so the condition language and
 * its meaning are the segments' own. `path` prefixes the error of an offending node.
 */
export async function selectContactsMatching(db: Kysely<Database>, workspaceId: string, contactIds: readonly string[] | null, conditions: readonly Condition[], options: { now?: Date; path?: string } = {}): Promise<Set<string>> {
  if (contactIds?.length === 0) return new Set();
  const ctx = await loadCompileContext(db, workspaceId, options.now ?? new Date());
  const on = { subject: 'contact' as const, alias: 'x', scope: contactIds ?? undefined };
  const predicate = joinAll(conditions.map((c, i) => compileCondition(c, on, ctx, `${options.path ?? 'conditions'}[${i}]`)), 'and');
  const rows = await sql<{ id: string }>`select x.id from contacts x where x.workspace_id = ${workspaceId}::uuid ${contactIds ? sql`and x.id = any(${contactIds}::uuid[])` : sql``} and ${predicate}`.execute(db);
  return new Set(rows.rows.map((r) => r.id));
}
