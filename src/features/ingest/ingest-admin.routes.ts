import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { getIngestStatus, listRejectedEvents } from './ingest.service.ts';

const RejectedSchema = z
  .object({
    id: z.string(),
    received_at: isoDate,
    type: z.string().nullable(),
    message_id: z.string().nullable(),
    reason: z.string(),
    field: z.string().nullable(),
    payload: z.string().openapi({ description: 'The event as received, JSON text' }),
  })
  .openapi('RejectedEvent');

const StatusSchema = z
  .object({
    pending_events: z.number().int().openapi({ description: 'Acknowledged, not yet processed' }),
    oldest_pending_at: isoDate.nullable(),
    lag_seconds: z.number().openapi({ description: 'Age of the oldest pending event; 0 when none' }),
  })
  .openapi('IngestStatus');

/** Management view of ingest: processing lag, and events that were refused with the reason. */
export function registerIngestAdminRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/ingest/status',
      tags: ['Events'],
      summary: 'Processing lag: events acknowledged but not yet processed (cheap; safe to poll)',
      security: [{ adminKey: [] }],
      responses: { 200: { description: 'Lag', content: { 'application/json': { schema: StatusSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const status = await getIngestStatus(deps.db, c.get('principal').workspaceId);
      const lag = status.oldest ? Math.max(0, (Date.now() - new Date(status.oldest).getTime()) / 1000) : 0;
      return c.json({ pending_events: status.pending, oldest_pending_at: status.oldest ? new Date(status.oldest).toISOString() : null, lag_seconds: lag }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/rejected-events',
      tags: ['Events'],
      summary: 'Events refused at ingest, newest first, with the reason and the payload as sent',
      security: [{ adminKey: [] }],
      request: { query: z.object({ limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: { description: 'A page of rejected events', content: { 'application/json': { schema: PageSchema(RejectedSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['timestamp', 'bigint']);
      const rows = await listRejectedEvents(deps.db, c.get('principal').workspaceId, {
        limit: query.limit + 1,
        before: before ? { receivedAt: new Date(before[0]!), id: before[1]! } : undefined,
      });
      return c.json(toJson(toPage(rows, query.limit, (r) => [r.received_at.toISOString(), r.id])), 200);
    },
  );
}
