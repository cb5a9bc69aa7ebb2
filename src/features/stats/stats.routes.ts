import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { getWorkspaceStats } from './stats.service.ts';

const StatsSchema = z
  .object({
    contacts: z.number().int(),
    known_contacts: z.number().int().openapi({ description: 'Contacts with a userId or email' }),
    anonymous_contacts: z.number().int(),
    accounts: z.number().int(),
    opportunities: z.number().int(),
    events: z.number().int(),
    rejected_events: z.number().int(),
    pending_events: z.number().int().openapi({ description: 'Accepted, not yet processed' }),
  })
  .openapi('Stats');

export function registerStatsRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/stats',
      tags: ['Workspace'],
      summary: 'Counts of contacts, accounts, events and rejected events',
      security: [{ adminKey: [] }],
      responses: { 200: { description: 'Counts', content: { 'application/json': { schema: StatsSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(await getWorkspaceStats(deps.db, c.get('principal').workspaceId), 200),
  );
}
