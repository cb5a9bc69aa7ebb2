import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { EventSchema, EventTypeParam } from './events.schemas.ts';
import { listEvents } from './events.service.ts';

export const EventQuery = z
  .object({
    type: EventTypeParam.optional(),
    name: z.string().max(200).optional().openapi({ description: 'Event name (track) or page name' }),
    from: z.string().datetime({ offset: true }).optional().openapi({ description: 'Inclusive lower bound on timestamp' }),
    to: z.string().datetime({ offset: true }).optional().openapi({ description: 'Exclusive upper bound on timestamp' }),
    contact_id: z.string().uuid().optional(),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

export type EventQueryInput = z.infer<typeof EventQuery>;

/** Shared by /events and the contact timeline: one filter, one keyset pagination. */
export async function queryEventsPage(deps: RouteDeps, workspaceId: string, query: EventQueryInput, contactId?: string) {
  const after = decodeCursor(query.cursor, ['timestamp', 'bigint']);
  const rows = await listEvents(deps.db, workspaceId, {
    contactId: contactId ?? query.contact_id,
    type: query.type,
    name: query.name,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    limit: query.limit,
    after: after ? { timestamp: after[0]!, id: after[1]! } : undefined,
  });
  return toJson(toPage(rows, query.limit, (r) => [r.timestamp.toISOString(), r.id]));
}

export function registerEventRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/events',
      tags: ['Events'],
      summary: 'Events, newest first, filtered by type, name, time and contact',
      security: [{ adminKey: [] }],
      request: { query: EventQuery },
      responses: { 200: { description: 'A page of events', content: { 'application/json': { schema: PageSchema(EventSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(await queryEventsPage(deps, c.get('principal').workspaceId, c.req.valid('query')), 200),
  );
}
