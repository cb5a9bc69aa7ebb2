import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import type { WriteKeyAuthenticator } from './workspaces.auth.ts';
import { createApiKey, getWorkspace, listApiKeys, revokeApiKey } from './workspaces.service.ts';

const KeySchema = z
  .object({
    id: z.string(),
    kind: z.enum(['write', 'admin']),
    role: z.enum(['ingest', 'admin', 'viewer']),
    name: z.string(),
    created_at: isoDate,
    last_used_at: isoDate.nullable(),
    revoked_at: isoDate.nullable(),
  })
  .openapi('ApiKey');

const CreateKeyBody = z
  .object({
    kind: z.enum(['write', 'admin']),
    name: z.string().min(1).max(200),
    role: z.enum(['ingest', 'admin', 'viewer']).optional().openapi({ description: "Admin keys: 'admin' (default) or 'viewer' (read only)" }),
  })
  .strict()
  .openapi('CreateApiKey');

const CreatedKeySchema = z
  .object({ id: z.string(), kind: z.enum(['write', 'admin']), role: z.string(), name: z.string(), key: z.string().openapi({ description: 'Shown once' }) })
  .openapi('CreatedApiKey');

const KeyIdParam = z.object({ id: z.string().regex(/^[0-9A-Za-z]{12}$/, 'must be a 12-character key id').openapi({ param: { name: 'id', in: 'path' } }) });

function requireAdminRole(role: string): void {
  if (role !== 'admin') throw new AppError('forbidden', 'Managing keys needs an admin key with the admin role');
}

export function registerWorkspaceRoutes(app: ApiApp, deps: RouteDeps & { writeKeys: WriteKeyAuthenticator }): void {
  registerGetWorkspace(app, deps);
  registerListKeys(app, deps);
  registerCreateKey(app, deps);
  registerRevokeKey(app, deps);
}

function registerGetWorkspace(app: ApiApp, deps: RouteDeps & { writeKeys: WriteKeyAuthenticator }): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/workspace',
      tags: ['Workspace'],
      summary: "The key's workspace",
      security,
      responses: {
        200: { description: 'The workspace', content: { 'application/json': { schema: z.object({ id: z.string().uuid(), name: z.string(), created_at: isoDate }) } } },
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => c.json(toJson(await getWorkspace(deps.db, c.get('principal').workspaceId)), 200),
  );
}

function registerListKeys(app: ApiApp, deps: RouteDeps & { writeKeys: WriteKeyAuthenticator }): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/keys',
      tags: ['Workspace'],
      summary: 'API keys of the workspace (hashes and secrets are never shown)',
      security,
      responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ data: z.array(KeySchema) }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      requireAdminRole(c.get('principal').role);
      return c.json(toJson({ data: await listApiKeys(deps.db, c.get('principal').workspaceId) }), 200);
    },
  );
}

function registerCreateKey(app: ApiApp, deps: RouteDeps & { writeKeys: WriteKeyAuthenticator }): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/keys',
      tags: ['Workspace'],
      summary: 'Create a write key (ingest only) or an admin key (admin or viewer role)',
      security,
      request: { body: { content: { 'application/json': { schema: CreateKeyBody } }, required: true } },
      responses: { 201: { description: 'The new key, shown once', content: { 'application/json': { schema: CreatedKeySchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      requireAdminRole(c.get('principal').role);
      const created = await createApiKey(deps.db, c.get('principal').workspaceId, c.req.valid('json'), actorOfPrincipal(c.get('principal')));
      return c.json(created, 201);
    },
  );
}

function registerRevokeKey(app: ApiApp, deps: RouteDeps & { writeKeys: WriteKeyAuthenticator }): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/keys/{id}',
      tags: ['Workspace'],
      summary: 'Revoke a key; it stops working at once',
      security,
      request: { params: KeyIdParam },
      responses: { 204: { description: 'Revoked' }, 409: { description: 'Already revoked' }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireAdminRole(principal.role);
      const { id } = c.req.valid('param');
      if (id === principal.keyId) throw new AppError('conflict', 'A key cannot revoke itself; use another admin key');
      await revokeApiKey(deps.db, principal.workspaceId, id, actorOfPrincipal(principal));
      deps.writeKeys.forget(id);
      return c.body(null, 204);
    },
  );
}
