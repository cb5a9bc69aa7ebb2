import type { Kysely } from 'kysely';
import type { DbKind } from '../../platform/db/connection.ts';
import { createTableMaintenance, type MaintenancePolicy } from '../../platform/db/maintenance.ts';
import type { Database, ImportJobRow, ImportKind } from '../../platform/db/schema.ts';
import { AppError, isAppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { openCsvInput, type CsvInput } from './csv-input.ts';
import { resolveMapping, type HeaderMapping } from './header-mapping.ts';
import { checkRequiredTargets, IMPORT_HANDLERS } from './import-kinds.ts';
import { mapRecord, type Refusal } from './import-rows.ts';
import * as q from './imports.queries.ts';

export const DEFAULT_BATCH_ROWS = 1000;
const DRY_RUN_SAMPLE = 100;

// The tables each kind fills. Without fresh statistics the planner keeps the plans it made
// for empty tables: measured, identity look-ups went from 30 ms to 2.7 s a batch by 4,000
// imported contacts on PGlite.
const IMPORT_MAINTENANCE: MaintenancePolicy = {
  tables: {
    contacts: { base: 1_000, scale: 0.2, action: 'vacuum analyze' },
    identities: { base: 1_000, scale: 0.2, action: 'analyze' },
    accounts: { base: 1_000, scale: 0.2, action: 'vacuum analyze' },
    opportunities: { base: 1_000, scale: 0.2, action: 'analyze' },
    events: { base: 1_000, scale: 1, action: 'analyze' },
    // Normalization's issues of the rows written (a bad phone on every row of a file):
    // planned as an empty table, clearing the resolved ones scanned all of a workspace's
    // issues per batch, late in a 1M-row import on a server with autovacuum off.
    field_validation_issues: { base: 1_000, scale: 0.2, action: 'analyze' },
  },
};
// Writes counted against each table: the rows written, an upper bound for the issues too.
const TABLE_OF: Record<ImportKind, string[]> = {
  contacts: ['contacts', 'identities', 'field_validation_issues'],
  accounts: ['accounts', 'field_validation_issues'],
  opportunities: ['opportunities'],
  events: ['events', 'contacts', 'identities'],
};

export interface ImportRequest {
  workspaceId: string;
  kind: ImportKind;
  /** The file's bytes; read once, front to back, never held whole. */
  source: AsyncIterable<Buffer | Uint8Array>;
  fileName: string;
  fileSize?: number | null | undefined;
  /** Identifies the file, so that a resume refuses a different one. */
  fingerprint?: string | null | undefined;
  encoding?: string | undefined;
  delimiter?: string | undefined;
  /** Column -> target choices laid over the suggested mapping. */
  mapping?: HeaderMapping | undefined;
  dryRun?: boolean | undefined;
  batchRows?: number | undefined;
  /** Go on with this job from its last committed batch. */
  resumeJobId?: string | undefined;
  actor: AuditActor;
  /** Where autovacuum does not run (PGlite), the import analyzes the tables it fills. */
  dbKind?: DbKind | undefined;
  onProgress?: ((progress: ImportProgress) => void) | undefined;
}

export interface ImportProgress {
  jobId: string | null;
  rowsRead: number;
  bytesRead: number;
  rowsCommitted: number;
  /** True right after a batch committed. */
  committed: boolean;
}

export interface ImportSummary {
  jobId: string | null;
  kind: ImportKind;
  status: 'completed' | 'failed' | 'dry_run';
  encoding: string;
  delimiter: string;
  header: string[];
  mapping: HeaderMapping;
  rowsRead: number;
  /** Data rows covered by committed batches: everything up to here is written. */
  rowsCommitted: number;
  inserted: number;
  updated: number;
  unchanged: number;
  refused: number;
  /** Set when the import stopped early (malformed file, database error): what is written is counted above. */
  error: string | null;
  /** Dry run: the first refused rows. */
  refusals?: Refusal[];
}

/**
 * Imports one CSV file. Each batch of rows is written in one transaction together with the
 * job's checkpoint and the batch's refused rows, so a crash leaves the job saying exactly
 * what is written, and `resumeJobId` goes on from there. A refused row never stops the
 * import; a malformed file (unclosed quote) stops it at that point, reported with the row.
 */
export async function importCsv(db: Kysely<Database>, request: ImportRequest): Promise<ImportSummary> {
  const previous = request.resumeJobId ? await loadResumableJob(db, request) : undefined;
  const input = await openCsvInput(request.source, {
    encoding: request.encoding ?? (previous?.options as { encoding?: string } | undefined)?.encoding,
    delimiter: request.delimiter ?? (previous?.options as { delimiter?: string } | undefined)?.delimiter,
  });
  const mapping = resolveMapping(request.kind, input.header, (previous?.mapping as HeaderMapping | undefined) ?? request.mapping);
  checkRequiredTargets(request.kind, mapping);
  if (request.dryRun) return dryRunImport(request, input, mapping);
  const job =
    previous ??
    (await db.transaction().execute(async (trx) => {
      const created = await q.insertImportJob(trx, request.workspaceId, {
        kind: request.kind,
        fileName: request.fileName,
        fileSize: request.fileSize ?? null,
        fingerprint: request.fingerprint ?? null,
        options: { encoding: input.encoding, delimiter: input.delimiter },
        mapping,
      });
      await recordAudit(trx, { workspaceId: request.workspaceId, actor: request.actor, action: 'import.started', objectType: 'import_job', objectId: created.id, details: { kind: request.kind, file: request.fileName, mapping } });
      return created;
    }));
  if (previous) await q.updateImportStatus(db, request.workspaceId, job.id, 'running', null);
  let error: string | null = null;
  try {
    await runBatches(db, request, input, mapping, job);
  } catch (caught) {
    if (!isAppError(caught) && !(caught instanceof Error)) throw caught;
    error = caught.message;
  }
  await db.transaction().execute(async (trx) => {
    await q.updateImportStatus(trx, request.workspaceId, job.id, error ? 'failed' : 'completed', error);
    const done = await q.selectImportJob(trx, request.workspaceId, job.id);
    await recordAudit(trx, { workspaceId: request.workspaceId, actor: request.actor, action: error ? 'import.failed' : 'import.completed', objectType: 'import_job', objectId: job.id, details: { ...countsOf(done!), error } });
  });
  return summaryOf((await q.selectImportJob(db, request.workspaceId, job.id))!, input, mapping);
}

async function loadResumableJob(db: Kysely<Database>, request: ImportRequest): Promise<ImportJobRow> {
  const job = await q.selectImportJob(db, request.workspaceId, request.resumeJobId!);
  if (!job) throw new AppError('not_found', `Import job ${JSON.stringify(request.resumeJobId)} not found in this workspace`, { field: 'resume' });
  if (job.status === 'completed') throw new AppError('conflict', `Import job ${job.id} already completed; nothing to resume`, { field: 'resume' });
  if (job.kind !== request.kind) throw new AppError('invalid', `Import job ${job.id} imports ${job.kind}, not ${request.kind}`, { field: 'kind' });
  if (job.file_fingerprint && request.fingerprint && job.file_fingerprint !== request.fingerprint) {
    throw new AppError('invalid', `File ${JSON.stringify(request.fileName)} is not the file import job ${job.id} read (${job.file_name}): its size or first 64 KiB differ`, { field: 'file' });
  }
  return job;
}

interface Batch {
  values: unknown[];
  refusals: Refusal[];
  lines: Map<number, number>;
  lastRow: number;
}

async function runBatches(db: Kysely<Database>, request: ImportRequest, input: CsvInput, mapping: HeaderMapping, job: ImportJobRow): Promise<void> {
  const handler = IMPORT_HANDLERS[request.kind];
  const batchRows = request.batchRows ?? DEFAULT_BATCH_ROWS;
  const skip = Number(job.rows_committed);
  let committedRows = skip;
  let batch: Batch = { values: [], refusals: [], lines: new Map(), lastRow: skip };
  const receivedAt = new Date().toISOString();
  const maintenance = request.dbKind ? await createTableMaintenance(db, request.dbKind, IMPORT_MAINTENANCE) : undefined;
  // The file is read, parsed and validated while the previous batch is written: one batch
  // in flight at most, committed in file order, each with its own checkpoint as before.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const full = batch;
    const bytesRead = input.bytesRead();
    batch = { values: [], refusals: [], lines: new Map(), lastRow: full.lastRow };
    const previous = inFlight;
    inFlight = previous.then(async () => {
      const written = await commitBatch(db, request, job.id, full, bytesRead);
      for (const table of TABLE_OF[request.kind]) await maintenance?.noteWrites(table, written);
      committedRows = full.lastRow;
      request.onProgress?.({ jobId: job.id, rowsRead: committedRows, bytesRead, rowsCommitted: committedRows, committed: true });
    });
    // Awaited below; a failure while the next batch is being read must not count as unhandled.
    inFlight.catch(() => undefined);
    return previous;
  };
  try {
    for await (const record of input.records) {
      if (record.row <= skip) continue;
      batch.lastRow = record.row;
      batch.lines.set(record.row, record.line);
      const mapped = mapRecord(record, input.header, mapping);
      const converted = mapped.ok ? handler.convert(mapped.value, receivedAt) : mapped;
      if (converted.ok) batch.values.push(converted.value);
      else batch.refusals.push(converted.refusal);
      if (record.row % 1000 === 0) request.onProgress?.({ jobId: job.id, rowsRead: record.row, bytesRead: input.bytesRead(), rowsCommitted: committedRows, committed: false });
      if (batch.values.length + batch.refusals.length >= batchRows) await flush();
    }
    if (batch.values.length + batch.refusals.length > 0) await flush();
  } finally {
    // A malformed file stops the reading, not the batch already being written.
    await inFlight;
  }
}

/** Writes one batch with its refusals and checkpoint; returns the rows written. */
async function commitBatch(db: Kysely<Database>, request: ImportRequest, jobId: string, batch: Batch, bytesRead: number): Promise<number> {
  const handler = IMPORT_HANDLERS[request.kind];
  return db.transaction().execute(async (trx) => {
    const outcome = batch.values.length > 0 ? await handler.write(trx, request.workspaceId, batch.values, new Date()) : { inserted: 0, updated: 0, unchanged: 0, refused: [] };
    const refusals = [...batch.refusals, ...outcome.refused.map((r) => ({ ...r, line: r.line || (batch.lines.get(r.row) ?? 0) }))];
    await q.insertRefusals(trx, request.workspaceId, jobId, refusals);
    await q.updateImportCheckpoint(trx, request.workspaceId, jobId, {
      rowsRead: batch.lastRow,
      rowsCommitted: batch.lastRow,
      bytesCommitted: bytesRead,
      inserted: outcome.inserted,
      updated: outcome.updated,
      unchanged: outcome.unchanged,
      refused: refusals.length,
    });
    return outcome.inserted + outcome.updated;
  });
}

async function dryRunImport(request: ImportRequest, input: CsvInput, mapping: HeaderMapping): Promise<ImportSummary> {
  const handler = IMPORT_HANDLERS[request.kind];
  const receivedAt = new Date().toISOString();
  const summary: ImportSummary = { ...emptySummary(request.kind, input, mapping), status: 'dry_run', refusals: [] };
  try {
    for await (const record of input.records) {
      summary.rowsRead = record.row;
      const mapped = mapRecord(record, input.header, mapping);
      const converted = mapped.ok ? handler.convert(mapped.value, receivedAt) : mapped;
      if (converted.ok) continue;
      summary.refused += 1;
      if (summary.refusals!.length < DRY_RUN_SAMPLE) summary.refusals!.push(converted.refusal);
      if (record.row % 1000 === 0) request.onProgress?.({ jobId: null, rowsRead: record.row, bytesRead: input.bytesRead(), rowsCommitted: 0, committed: false });
    }
  } catch (caught) {
    summary.error = (caught as Error).message;
  }
  return summary;
}

function emptySummary(kind: ImportKind, input: CsvInput, mapping: HeaderMapping): ImportSummary {
  return {
    jobId: null, kind, status: 'dry_run', encoding: input.encoding, delimiter: input.delimiter, header: input.header, mapping,
    rowsRead: 0, rowsCommitted: 0, inserted: 0, updated: 0, unchanged: 0, refused: 0, error: null,
  };
}

function countsOf(job: ImportJobRow) {
  return {
    rowsRead: Number(job.rows_read),
    rowsCommitted: Number(job.rows_committed),
    inserted: Number(job.inserted),
    updated: Number(job.updated),
    unchanged: Number(job.unchanged),
    refused: Number(job.refused),
  };
}

function summaryOf(job: ImportJobRow, input: CsvInput, mapping: HeaderMapping): ImportSummary {
  return { ...emptySummary(job.kind, input, mapping), jobId: job.id, status: job.status === 'completed' ? 'completed' : 'failed', ...countsOf(job), error: job.error };
}

export async function getImportJob(db: Kysely<Database>, workspaceId: string, id: string): Promise<ImportJobRow> {
  const job = /^[0-9a-f-]{36}$/i.test(id) ? await q.selectImportJob(db, workspaceId, id) : undefined;
  if (!job) throw new AppError('not_found', `Import job ${JSON.stringify(id)} not found in this workspace`);
  return job;
}

export const listImportJobs = (db: Kysely<Database>, workspaceId: string, limit: number) => q.selectImportJobs(db, workspaceId, limit);

/** A job's refused rows in row order, a page at a time. */
export const listImportRefusals = (db: Kysely<Database>, workspaceId: string, jobId: string, afterRow: number, limit: number) =>
  q.selectRefusals(db, workspaceId, jobId, afterRow, limit);
