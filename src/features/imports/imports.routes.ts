import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import type { DbKind } from '../../platform/db/connection.ts';
import type { ImportJobRow, ImportKind } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { exportCsv, exportImportRefusals } from './csv-export.ts';
import { exportSegmentCsv } from './segment-export.ts';
import { IMPORT_KINDS, parseMappingText, suggestMapping } from './header-mapping.ts';
import { getImportJob, importCsv, listImportJobs } from './import.service.ts';
import { readMultipartUpload } from './multipart-upload.ts';

/** Uploads may be far larger than the 1 MB management limit: they are streamed, never held. */
export const DEFAULT_IMPORT_MAX_BYTES = 10 * 1024 ** 3;

const KindParam = z.object({ kind: z.enum(['contacts', 'accounts', 'opportunities', 'events']).openapi({ param: { name: 'kind', in: 'path' } }) });
const ExportKindParam = z.object({ kind: z.enum(['contacts', 'accounts']).openapi({ param: { name: 'kind', in: 'path' } }) });

const RefusalSchema = z.object({ row: z.number(), line: z.number(), column: z.string().nullable(), value: z.string().nullable(), reason: z.string() }).openapi('ImportRefusal');

const ImportSummarySchema = z
  .object({
    jobId: z.string().nullable(),
    kind: z.string(),
    status: z.enum(['completed', 'failed', 'dry_run']),
    encoding: z.string(),
    delimiter: z.string(),
    header: z.array(z.string()),
    mapping: z.record(z.string(), z.string()),
    rowsRead: z.number(),
    rowsCommitted: z.number(),
    inserted: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    refused: z.number(),
    error: z.string().nullable(),
    refusals: z.array(RefusalSchema).optional(),
  })
  .openapi('ImportSummary');

const ImportJobSchema = z
  .object({
    id: z.string(), kind: z.string(), status: z.string(), file_name: z.string(), file_size: z.number().nullable(),
    mapping: z.record(z.string(), z.unknown()), options: z.record(z.string(), z.unknown()),
    rows_read: z.number(), rows_committed: z.number(), bytes_committed: z.number(),
    inserted: z.number(), updated: z.number(), unchanged: z.number(), refused: z.number(),
    error: z.string().nullable(), created_at: z.string(), updated_at: z.string(), finished_at: z.string().nullable(),
  })
  .openapi('ImportJob');

// A plain JSON Schema (not zod) on purpose: zod-openapi would then parse the form itself,
// buffering the whole upload in memory before the handler runs.
const UPLOAD_SCHEMA: { type: 'object'; required: string[]; properties: Record<string, { type: 'string'; description: string; format?: string; enum?: string[] }> } = {
  type: 'object',
  required: ['file'],
  properties: {
    mapping: { type: 'string', description: 'JSON or YAML: {"Email Address": "email", "Notes": "ignore"}; laid over the suggested mapping' },
    encoding: { type: 'string', description: 'utf-8, utf-16le, utf-16be, latin1; detected when left out' },
    delimiter: { type: 'string', description: ', ; tab |; detected when left out' },
    dry_run: { type: 'string', enum: ['true', 'false'], description: 'Show the mapping and validation without writing' },
    resume: { type: 'string', description: 'An import job id to go on with from its last committed batch' },
    file: { type: 'string', format: 'binary', description: 'The CSV file; send it after the other fields' },
  },
};

const presentJob = ({ workspace_id: _, ...job }: ImportJobRow) => ({
  ...job,
  file_size: job.file_size === null ? null : Number(job.file_size),
  rows_read: Number(job.rows_read), rows_committed: Number(job.rows_committed), bytes_committed: Number(job.bytes_committed),
  inserted: Number(job.inserted), updated: Number(job.updated), unchanged: Number(job.unchanged), refused: Number(job.refused),
});

type ImportDeps = RouteDeps & { importMaxBytes?: number | undefined; dbKind: DbKind };

export function registerImportRoutes(app: ApiApp, deps: ImportDeps): void {
  registerUpload(app, deps, deps.importMaxBytes ?? DEFAULT_IMPORT_MAX_BYTES);
  registerSuggest(app);
  registerJobRoutes(app, deps);
  registerExport(app, deps);
}

function registerUpload(app: ApiApp, deps: ImportDeps, limit: number): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/imports/{kind}',
      tags: ['Imports'],
      summary: 'Import a CSV file (multipart upload, streamed); upsert by email / domain / external id',
      security: [{ adminKey: [] }],
      request: { params: KindParam, body: { content: { 'multipart/form-data': { schema: UPLOAD_SCHEMA } }, required: true } },
      responses: {
        200: { description: 'What the import wrote (status failed: stopped early; the counts say what is written)', content: { 'application/json': { schema: ImportSummarySchema } } },
        413: { description: 'Larger than KEEL_IMPORT_MAX_BYTES' },
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const { kind } = c.req.valid('param');
      const principal = c.get('principal');
      const summary = await readMultipartUpload(c.req.raw, limit, (fields, file) =>
        importCsv(deps.db, {
          workspaceId: principal.workspaceId,
          kind,
          source: file.stream,
          fileName: file.fileName,
          encoding: fields.encoding || undefined,
          delimiter: fields.delimiter || undefined,
          mapping: fields.mapping ? parseMappingText(fields.mapping, 'field "mapping"') : undefined,
          dryRun: parseFlag(fields.dry_run, 'dry_run'),
          resumeJobId: fields.resume || undefined,
          actor: actorOfPrincipal(principal),
          dbKind: deps.dbKind,
        }),
      );
      return c.json(toJson(summary), 200);
    },
  );
}

function parseFlag(value: string | undefined, field: string): boolean {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new AppError('invalid', `${field} must be "true" or "false", got ${JSON.stringify(value)}`, { field });
}

function registerSuggest(app: ApiApp): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/imports/{kind}/mapping',
      tags: ['Imports'],
      summary: 'Suggest a column mapping for a CSV header',
      security: [{ adminKey: [] }],
      request: {
        params: KindParam,
        body: { content: { 'application/json': { schema: z.object({ header: z.array(z.string().min(1).max(500)).min(1).max(1000) }).strict() } }, required: true },
      },
      responses: {
        200: { description: 'Column -> target (a field, trait.<name>, property.<name> or ignore)', content: { 'application/json': { schema: z.object({ mapping: z.record(z.string(), z.string()) }) } } },
        ...ERROR_RESPONSES,
      },
    }),
    (c) => c.json({ mapping: suggestMapping(c.req.valid('param').kind as ImportKind, c.req.valid('json').header) }, 200),
  );
}

function registerJobRoutes(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/imports', tags: ['Imports'], summary: 'Recent import jobs, newest first', security,
      responses: { 200: { description: 'Import jobs', content: { 'application/json': { schema: z.object({ data: z.array(ImportJobSchema) }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson({ data: (await listImportJobs(deps.db, c.get('principal').workspaceId, 100)).map(presentJob) }), 200),
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/imports/{id}', tags: ['Imports'], summary: 'One import job: status, counts, checkpoint', security,
      request: { params: IdParam },
      responses: { 200: { description: 'The job', content: { 'application/json': { schema: ImportJobSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(presentJob(await getImportJob(deps.db, c.get('principal').workspaceId, c.req.valid('param').id))), 200),
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/imports/{id}/errors', tags: ['Imports'], summary: 'The error report: refused rows as CSV (row, line, column, value, reason)', security,
      request: { params: IdParam },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const workspaceId = c.get('principal').workspaceId;
      const job = await getImportJob(deps.db, workspaceId, c.req.valid('param').id);
      return csvResponse(exportImportRefusals(deps.db, workspaceId, job.id), `import-${job.id}-errors.csv`) as never;
    },
  );
}

function registerExport(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/exports/{kind}', tags: ['Imports'], security: [{ adminKey: [] }],
      summary: 'Export contacts or accounts as CSV (RFC 4180, streamed; traits as one JSON column)',
      request: { params: ExportKindParam },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { kind } = c.req.valid('param');
      const principal = c.get('principal');
      const chunks = exportCsv(deps.db, principal.workspaceId, kind, actorOfPrincipal(principal));
      // Pull the first chunk (header, after the audit record) before answering, so that a
      // failure there is a proper error response rather than a broken stream.
      const first = await chunks.next();
      return csvResponse(prepend(first.done ? '' : first.value, chunks), `${kind}.csv`) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/exports/segments/{name}', tags: ['Imports'], security: [{ adminKey: [] }],
      summary: "A contact segment's current members as the contacts CSV (streamed)",
      request: { params: z.object({ name: z.string().min(1).max(200).openapi({ param: { name: 'name', in: 'path' } }) }) },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const principal = c.get('principal');
      const chunks = exportSegmentCsv(deps.db, principal.workspaceId, name, actorOfPrincipal(principal));
      // As above: an unknown segment answers 404 before the stream starts.
      const first = await chunks.next();
      return csvResponse(prepend(first.done ? '' : first.value, chunks), `segment-${name.replace(/[^\w.-]+/g, '_')}.csv`) as never;
    },
  );
}

async function* prepend(first: string, rest: AsyncGenerator<string>): AsyncGenerator<string> {
  yield first;
  yield* rest;
}

function csvResponse(chunks: AsyncGenerator<string>, fileName: string): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${fileName}"` } });
}

export { IMPORT_KINDS };
