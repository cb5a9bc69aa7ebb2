import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { listAuditEntries } from './audit.service.ts';

const EntrySchema = z
  .object({
    id: z.string(),
    at: isoDate,
    actor_kind: z.enum(['api_key', 'cli', 'system']),
    actor_id: z.string(),
    action: z.string(),
    object_type: z.string(),
    object_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

const dateTime = z.string().datetime({ offset: true }).or(z.string().date());

const Query = z
  .object({
    action: z.string().max(200).optional().openapi({ example: 'consent.recorded' }),
    object_type: z.string().max(100).optional(),
    object_id: z.string().max(200).optional(),
    actor: z.string().max(200).optional().openapi({ description: 'Actor id: a key id, an OS user name, a component' }),
    from: dateTime.optional().openapi({ description: 'Inclusive' }),
    to: dateTime.optional().openapi({ description: 'Exclusive' }),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

/** GET /api/v1/audit-log: read only; entries cannot be changed through Keel at all. */
export function registerAuditRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/audit-log',
      tags: ['Audit'],
      summary: 'Who changed what and when, newest first, with filters',
      security: [{ adminKey: [] }],
      request: { query: Query },
      responses: { 200: { description: 'A page of entries', content: { 'application/json': { schema: PageSchema(EntrySchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['bigint']);
      const rows = await listAuditEntries(deps.db, c.get('principal').workspaceId, {
        action: query.action,
        objectType: query.object_type,
        objectId: query.object_id,
        actorId: query.actor,
        from: query.from ? new Date(query.from) : undefined,
        to: query.to ? new Date(query.to) : undefined,
        beforeId: before?.[0],
        limit: query.limit,
      });
      return c.json(toJson(toPage(rows, query.limit, (r) => [r.id])), 200);
    },
  );
}
