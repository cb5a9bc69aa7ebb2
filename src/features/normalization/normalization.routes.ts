import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { listFieldIssues, summarizeFieldValidity } from './validation-issues.ts';

const security = [{ adminKey: [] }];

const IssueQuery = z
  .object({
    object_type: z.enum(['contact', 'account']).optional(),
    object_id: z.string().uuid().optional(),
    field: z.string().min(1).max(100).optional(),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

const IssueSchema = z
  .object({
    object_type: z.enum(['contact', 'account']),
    object_id: z.string().uuid(),
    field: z.string(),
    value: z.string().openapi({ description: 'The value as received; it is kept as a custom trait' }),
    reason: z.string(),
    source: z.string().openapi({ description: 'ingest, import, ...' }),
    detected_at: isoDate,
  })
  .openapi('FieldValidationIssue');

const SummarySchema = z
  .object({
    data: z.array(
      z.object({
        object_type: z.enum(['contact', 'account']),
        field: z.string(),
        invalid: z.number().int(),
        reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
      }),
    ),
  })
  .openapi('FieldValiditySummary');

export function registerNormalizationRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/validation-issues', tags: ['Normalization'], security,
      summary: 'Field values that failed validation (newest first): field, value as received, reason',
      request: { query: IssueQuery },
      responses: { 200: { description: 'A page of issues', content: { 'application/json': { schema: PageSchema(IssueSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const after = decodeCursor(query.cursor, ['timestamp', 'uuid', 'text']);
      const rows = await listFieldIssues(deps.db, c.get('principal').workspaceId, {
        objectType: query.object_type, objectId: query.object_id, field: query.field, limit: query.limit,
        after: after ? { detectedAt: after[0]!, objectId: after[1]!, field: after[2]! } : undefined,
      });
      return c.json(toJson(toPage(rows, query.limit, (r) => [r.detected_at.toISOString(), r.object_id, r.field])), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/validation-issues/summary', tags: ['Normalization'], security,
      summary: 'Invalid values per object type and field, with their reasons',
      responses: { 200: { description: 'Counts', content: { 'application/json': { schema: SummarySchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const rows = await summarizeFieldValidity(deps.db, c.get('principal').workspaceId);
      return c.json({ data: rows.map((r) => ({ object_type: r.objectType, field: r.field, invalid: r.invalid, reasons: r.reasons })) }, 200);
    },
  );
}
