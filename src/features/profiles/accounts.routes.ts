import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { getAccount, listAccounts } from '../accounts/index.ts';
import { contactsPage } from './contacts.routes.ts';
import { AccountSchema, ContactSchema } from './profiles.schemas.ts';

const AccountListQuery = z
  .object({
    domain: z.string().max(253).optional().openapi({ description: 'Exact domain, e.g. acme.com' }),
    q: z.string().min(1).max(200).optional().openapi({ description: 'Substring of name or domain' }),
    min_employees: z.coerce.number().int().min(0).optional().openapi({ description: 'e.g. 1000 for enterprise accounts' }),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

const PageQuery = z.object({ limit: LimitParam, cursor: CursorParam }).strict();

export function registerAccountRoutes(app: ApiApp, deps: RouteDeps): void {
  registerListAccounts(app, deps);
  registerGetAccount(app, deps);
  registerAccountContacts(app, deps);
}

function registerListAccounts(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/accounts',
      tags: ['Accounts'],
      summary: 'List and search accounts (newest first)',
      security,
      request: { query: AccountListQuery },
      responses: { 200: { description: 'A page of accounts', content: { 'application/json': { schema: PageSchema(AccountSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      const rows = await listAccounts(deps.db, c.get('principal').workspaceId, {
        domain: query.domain,
        q: query.q,
        minEmployees: query.min_employees,
        limit: query.limit,
        after: after ? { createdAt: after[0]!, id: after[1]! } : undefined,
      });
      const page = toPage(rows, query.limit, (r) => [r.created_at.toISOString(), r.id]);
      return c.json(toJson({ ...page, data: page.data.map(({ workspace_id: _, ...rest }) => rest) }), 200);
    },
  );
}

function registerGetAccount(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/accounts/{id}',
      tags: ['Accounts'],
      summary: 'One account',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'The account', content: { 'application/json': { schema: AccountSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { workspace_id: _, ...account } = await getAccount(deps.db, c.get('principal').workspaceId, c.req.valid('param').id);
      return c.json(toJson(account), 200);
    },
  );
}

function registerAccountContacts(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/accounts/{id}/contacts',
      tags: ['Accounts'],
      summary: "The account's contacts",
      security,
      request: { params: IdParam, query: PageQuery },
      responses: { 200: { description: 'A page of contacts', content: { 'application/json': { schema: PageSchema(ContactSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { workspaceId } = c.get('principal');
      const { id } = c.req.valid('param');
      const query = c.req.valid('query');
      await getAccount(deps.db, workspaceId, id);
      return c.json(await contactsPage(deps, workspaceId, { accountId: id }, query), 200);
    },
  );
}
