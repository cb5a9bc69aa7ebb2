import { sql, type Kysely } from 'kysely';
import type { Database, ValidationObjectType } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export interface FieldCheckRow {
  objectId: string;
  field: string;
  /** Present: the field failed (upserted). Absent: it passed (any stored issue is removed). */
  issue?: { value: string; reason: string } | undefined;
}

export async function upsertFieldIssues(db: Q, workspaceId: string, objectType: ValidationObjectType, source: string, rows: FieldCheckRow[], at: Date): Promise<void> {
  const failed = rows.filter((r) => r.issue);
  if (failed.length > 0) {
    await sql`
      insert into field_validation_issues (workspace_id, object_type, object_id, field, value, reason, source, detected_at)
      select ${workspaceId}::uuid, ${objectType}, t.object_id, t.field, t.value, t.reason, ${source}, ${at}::timestamptz
      from unnest(${failed.map((r) => r.objectId)}::uuid[], ${failed.map((r) => r.field)}::text[],
        ${failed.map((r) => r.issue!.value)}::text[], ${failed.map((r) => r.issue!.reason)}::text[]) as t(object_id, field, value, reason)
      on conflict (workspace_id, object_type, object_id, field) do update set
        value = excluded.value, reason = excluded.reason, source = excluded.source, detected_at = excluded.detected_at`.execute(db);
  }
  const passed = rows.filter((r) => !r.issue);
  if (passed.length > 0) {
    await sql`
      delete from field_validation_issues f
      using unnest(${passed.map((r) => r.objectId)}::uuid[], ${passed.map((r) => r.field)}::text[]) as t(object_id, field)
      where f.workspace_id = ${workspaceId}::uuid and f.object_type = ${objectType} and f.object_id = t.object_id and f.field = t.field`.execute(db);
  }
}

export interface IssueFilter {
  objectType?: ValidationObjectType | undefined;
  objectId?: string | undefined;
  field?: string | undefined;
  limit: number;
  after?: { detectedAt: string; objectId: string; field: string } | undefined;
}

// Contacts and accounts can be merged away; their issues go with them in every read.
const liveObject = sql<boolean>`(
  (f.object_type = 'contact' and exists (select 1 from contacts c where c.workspace_id = f.workspace_id and c.id = f.object_id))
  or (f.object_type = 'account' and exists (select 1 from accounts a where a.workspace_id = f.workspace_id and a.id = f.object_id)))`;

export async function selectFieldIssues(db: Q, workspaceId: string, f: IssueFilter) {
  let query = db
    .selectFrom('field_validation_issues as f')
    .select(['f.object_type', 'f.object_id', 'f.field', 'f.value', 'f.reason', 'f.source', 'f.detected_at'])
    .where('f.workspace_id', '=', workspaceId)
    .where(liveObject);
  if (f.objectType) query = query.where('f.object_type', '=', f.objectType);
  if (f.objectId) query = query.where('f.object_id', '=', f.objectId);
  if (f.field) query = query.where('f.field', '=', f.field);
  if (f.after) query = query.where(sql<boolean>`(f.detected_at, f.object_id, f.field) < (${f.after.detectedAt}::timestamptz, ${f.after.objectId}::uuid, ${f.after.field})`);
  return query.orderBy('f.detected_at', 'desc').orderBy('f.object_id', 'desc').orderBy('f.field', 'desc').limit(f.limit + 1).execute();
}

export interface IssueCountRow {
  object_type: ValidationObjectType;
  field: string;
  reason: string;
  issues: number;
}

export async function countFieldIssues(db: Q, workspaceId: string): Promise<IssueCountRow[]> {
  const result = await sql<IssueCountRow>`
    select f.object_type, f.field, f.reason, count(*)::int as issues
    from field_validation_issues f
    where f.workspace_id = ${workspaceId}::uuid and ${liveObject}
    group by f.object_type, f.field, f.reason
    order by f.object_type, f.field, issues desc`.execute(db);
  return result.rows;
}
