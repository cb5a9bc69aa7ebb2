import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { listIdentityConflicts } from './identity.service.ts';

const ConflictSchema = z
  .object({
    id: z.string(),
    message_id: z.string(),
    kind: z.string(),
    value: z.string(),
    contact_id: z.string().uuid(),
    other_contact_id: z.string().uuid(),
    reason: z.string(),
    created_at: isoDate,
  })
  .openapi('IdentityConflict');

export function registerIdentityRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/identity-conflicts',
      tags: ['Contacts'],
      summary: 'Identifiers shared by two contacts that Keel refused to merge (different userIds)',
      security: [{ adminKey: [] }],
      request: { query: z.object({ limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: { description: 'A page of conflicts', content: { 'application/json': { schema: PageSchema(ConflictSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['bigint']);
      const rows = await listIdentityConflicts(deps.db, c.get('principal').workspaceId, query.limit + 1, before?.[0]);
      return c.json(toJson(toPage(rows, query.limit, (r) => [r.id])), 200);
    },
  );
}
