import { sql, type Kysely } from 'kysely';
import type { Database, ImportJobRow, ImportJobStatus, ImportKind } from '../../platform/db/schema.ts';
import type { Refusal } from './import-rows.ts';

type Q = Kysely<Database>;

export interface NewImportJob {
  kind: ImportKind;
  fileName: string;
  fileSize: number | null;
  fingerprint: string | null;
  options: Record<string, unknown>;
  mapping: Record<string, string>;
}

export async function insertImportJob(db: Q, workspaceId: string, job: NewImportJob): Promise<ImportJobRow> {
  return db
    .insertInto('import_jobs')
    .values({
      workspace_id: workspaceId,
      kind: job.kind,
      status: 'running',
      file_name: job.fileName,
      file_size: job.fileSize,
      file_fingerprint: job.fingerprint,
      options: JSON.stringify(job.options),
      mapping: JSON.stringify(job.mapping),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function selectImportJob(db: Q, workspaceId: string, id: string): Promise<ImportJobRow | undefined> {
  return db.selectFrom('import_jobs').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
}

export async function selectImportJobs(db: Q, workspaceId: string, limit: number): Promise<ImportJobRow[]> {
  return db.selectFrom('import_jobs').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export interface Checkpoint {
  rowsRead: number;
  rowsCommitted: number;
  bytesCommitted: number;
  inserted: number;
  updated: number;
  unchanged: number;
  refused: number;
}

/** Adds a committed batch's counts; run in the batch's transaction. */
export async function updateImportCheckpoint(db: Q, workspaceId: string, id: string, c: Checkpoint): Promise<void> {
  await sql`
    update import_jobs set
      rows_read = ${c.rowsRead}, rows_committed = ${c.rowsCommitted}, bytes_committed = ${c.bytesCommitted},
      inserted = inserted + ${c.inserted}, updated = updated + ${c.updated}, unchanged = unchanged + ${c.unchanged},
      refused = refused + ${c.refused}, updated_at = now()
    where workspace_id = ${workspaceId}::uuid and id = ${id}::uuid`.execute(db);
}

export async function updateImportStatus(db: Q, workspaceId: string, id: string, status: ImportJobStatus, error: string | null): Promise<void> {
  await db
    .updateTable('import_jobs')
    .set({ status, error, updated_at: new Date(), finished_at: status === 'running' ? null : new Date() })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .execute();
}

export async function insertRefusals(db: Q, workspaceId: string, jobId: string, refusals: Refusal[]): Promise<void> {
  if (refusals.length === 0) return;
  await sql`
    insert into import_refusals (workspace_id, job_id, row_number, line, column_name, value, reason)
    select ${workspaceId}::uuid, ${jobId}::uuid, t.row_number, t.line, t.column_name, t.value, t.reason
    from unnest(${refusals.map((r) => r.row)}::bigint[], ${refusals.map((r) => r.line || null)}::bigint[], ${refusals.map((r) => r.column)}::text[],
      ${refusals.map((r) => r.value)}::text[], ${refusals.map((r) => r.reason)}::text[]) as t(row_number, line, column_name, value, reason)
    on conflict do nothing`.execute(db);
}

/** Refusals in row order, a page at a time (keyset on the row number). */
export async function selectRefusals(db: Q, workspaceId: string, jobId: string, afterRow: number, limit: number): Promise<Refusal[]> {
  const rows = await db
    .selectFrom('import_refusals')
    .select(['row_number', 'line', 'column_name', 'value', 'reason'])
    .where('workspace_id', '=', workspaceId)
    .where('job_id', '=', jobId)
    .where('row_number', '>', afterRow)
    .orderBy('row_number')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ row: Number(r.row_number), line: r.line === null ? 0 : Number(r.line), column: r.column_name, value: r.value, reason: r.reason }));
}
