import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, encodeCursor, LimitParam, PageSchema } from '../../platform/http/pagination.ts';
import { createOpportunity, getOpportunity, listOpportunities, type Opportunity } from './opportunities.service.ts';

const OpportunitySchema = z
  .object({
    id: z.string().uuid(),
    account_id: z.string().uuid(),
    external_id: z.string().nullable(),
    name: z.string(),
    amount: z.string().openapi({ description: 'Decimal as a string (exact)' }),
    currency: z.string(),
    stage: z.string(),
    status: z.enum(['open', 'won', 'lost']),
    created_date: isoDate,
    closed_date: isoDate.nullable(),
    created_at: isoDate,
    updated_at: isoDate,
  })
  .openapi('Opportunity');

const ListQuery = z
  .object({
    account_id: z.string().uuid().optional(),
    stage: z.string().min(1).max(200).optional(),
    status: z.enum(['open', 'won', 'lost']).optional(),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

const CreateBody = z
  .object({
    account_id: z.string().uuid(),
    name: z.string().min(1).max(500),
    amount: z.union([z.number(), z.string()]).openapi({ description: 'Non-negative; a string keeps large amounts exact' }),
    currency: z.string().openapi({ example: 'USD' }),
    stage: z.string().min(1).max(200),
    status: z.enum(['open', 'won', 'lost']).optional().openapi({ description: 'Defaults from the stage name (Closed Won / Closed Lost)' }),
    created_date: z.string().datetime({ offset: true }).or(z.string().date()),
    closed_date: z.string().datetime({ offset: true }).or(z.string().date()).nullable().optional(),
    external_id: z.string().min(1).max(200).nullable().optional(),
  })
  .strict()
  .openapi('CreateOpportunity');

const present = ({ workspace_id: _, ...row }: Opportunity) => row;

export function registerOpportunityRoutes(app: ApiApp, deps: RouteDeps): void {
  registerListOpportunities(app, deps);
  registerGetOpportunity(app, deps);
  registerCreateOpportunity(app, deps);
}

function registerListOpportunities(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/opportunities',
      tags: ['Opportunities'],
      summary: 'Opportunities, newest first, by account, stage or status',
      security,
      request: { query: ListQuery },
      responses: { 200: { description: 'A page of opportunities', content: { 'application/json': { schema: PageSchema(OpportunitySchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      const list = await listOpportunities(deps.db, c.get('principal').workspaceId, {
        accountId: query.account_id,
        stage: query.stage,
        isClosed: query.status === undefined ? undefined : query.status !== 'open',
        isWon: query.status === undefined || query.status === 'open' ? undefined : query.status === 'won',
        limit: query.limit,
        before: before ? { createdDate: new Date(before[0]!), id: before[1]! } : undefined,
      });
      const next = list.next ? encodeCursor([list.next.createdDate.toISOString(), list.next.id]) : null;
      return c.json(toJson({ data: list.items.map(present), next_cursor: next }), 200);
    },
  );
}

function registerGetOpportunity(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/opportunities/{id}',
      tags: ['Opportunities'],
      summary: 'One opportunity',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'The opportunity', content: { 'application/json': { schema: OpportunitySchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(present(await getOpportunity(deps.db, c.get('principal').workspaceId, c.req.valid('param').id))), 200),
  );
}

function registerCreateOpportunity(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/opportunities',
      tags: ['Opportunities'],
      summary: 'Create an opportunity on an account (revenue for attribution)',
      security,
      request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: OpportunitySchema } } },
        409: { description: 'external_id already used in this workspace' },
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const created = await createOpportunity(deps.db, c.get('principal').workspaceId, {
        accountId: body.account_id,
        name: body.name,
        amount: body.amount,
        currency: body.currency,
        stage: body.stage,
        status: body.status,
        createdDate: body.created_date,
        closedDate: body.closed_date,
        externalId: body.external_id,
      });
      return c.json(toJson(present(created)), 201);
    },
  );
}
