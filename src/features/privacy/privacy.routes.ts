import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { formatCsv } from './csv-format.ts';
import { exportPersonalData, getPrivacyRequest, listPrivacyRequests, requestErasure, runErasure } from './privacy.service.ts';
import { applyRetention } from './retention.ts';

const security = [{ adminKey: [] }];

const RequestSchema = z
  .object({
    id: z.string().uuid(), kind: z.enum(['erasure', 'export']), email_hash: z.string(), status: z.enum(['pending', 'done', 'failed']),
    attempts: z.number(), last_error: z.string().nullable(), summary: z.record(z.string(), z.unknown()), requested_at: isoDate, completed_at: isoDate.nullable(),
  })
  .openapi('PrivacyRequest');

const EmailBody = z.object({ email: z.string().min(3).max(320) }).strict();

function requireAdminRole(role: string): void {
  // Exports hand out a person's data: viewers may not pull them.
  if (role !== 'admin') throw new AppError('forbidden', 'Privacy requests need an admin key with the admin role');
}

export function registerPrivacyRoutes(app: ApiApp, deps: RouteDeps): void {
  registerExport(app, deps);
  registerErasure(app, deps);
  registerRequests(app, deps);
  registerRetention(app, deps);
}

function registerExport(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/privacy/export', tags: ['Privacy'], security,
      summary: 'Everything Keel holds on a person (GDPR art. 15/20): JSON, or one section as CSV (?format=csv&section=events)',
      request: { query: z.object({ format: z.enum(['json', 'csv']).default('json'), section: z.string().max(100).optional() }).strict(), body: { content: { 'application/json': { schema: EmailBody } }, required: true } },
      responses: { 200: { description: 'The export', content: { 'application/json': { schema: z.object({ exported_at: isoDate, sections: z.record(z.string(), z.array(z.record(z.string(), z.unknown()))) }) }, 'text/csv': { schema: z.string() } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireAdminRole(principal.role);
      const { format, section } = c.req.valid('query');
      if (format === 'csv' && !section) throw new AppError('invalid', 'format=csv needs section=NAME (one CSV per section); the CLI writes them all to a folder');
      const data = await exportPersonalData(deps.db, principal.workspaceId, c.req.valid('json').email, actorOfPrincipal(principal));
      if (format === 'json') return c.json(toJson(data), 200);
      const rows = data.sections[section!];
      if (!rows) throw new AppError('invalid', `section ${JSON.stringify(section)} is unknown; sections: ${Object.keys(data.sections).join(', ')}`, { field: 'section' });
      return c.body(formatCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
    },
  );
}

function registerErasure(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/privacy/erasure', tags: ['Privacy'], security,
      summary: 'Erase a person (GDPR art. 17) from every table; a salted hash of the email stays suppressed. A failure leaves the request failed and retried',
      request: { body: { content: { 'application/json': { schema: EmailBody } }, required: true } },
      responses: { 200: { description: 'The request, done or failed', content: { 'application/json': { schema: RequestSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireAdminRole(principal.role);
      return c.json(toJson(await requestErasure(deps.db, principal.workspaceId, c.req.valid('json').email, actorOfPrincipal(principal))), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/privacy/requests/{id}/retry', tags: ['Privacy'], security, summary: 'Retry a failed erasure now',
      request: { params: z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: { description: 'The request', content: { 'application/json': { schema: RequestSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      requireAdminRole(principal.role);
      const done = await runErasure(deps.db, principal.workspaceId, c.req.valid('param').id, actorOfPrincipal(principal));
      const { email: _e, ...shown } = done as typeof done & { email?: unknown };
      return c.json(toJson(shown), 200);
    },
  );
}

function registerRequests(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/privacy/requests', tags: ['Privacy'], security, summary: 'Privacy requests (export, erasure) with their status',
      responses: { 200: { description: 'Requests', content: { 'application/json': { schema: z.object({ data: z.array(RequestSchema) }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson({ data: await listPrivacyRequests(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/privacy/requests/{id}', tags: ['Privacy'], security, summary: 'One privacy request',
      request: { params: z.object({ id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 200: { description: 'The request', content: { 'application/json': { schema: RequestSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(await getPrivacyRequest(deps.db, c.get('principal').workspaceId, c.req.valid('param').id)), 200),
  );
}

function registerRetention(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/privacy/retention/run', tags: ['Privacy'], security,
      summary: 'Apply the retention period now (events older than retention_days deleted or anonymized); the worker also runs it hourly',
      responses: { 200: { description: 'What changed', content: { 'application/json': { schema: z.object({ applied: z.boolean(), mode: z.string().optional(), cutoff: isoDate.optional(), events: z.number() }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      const outcome = await applyRetention(deps.db, principal.workspaceId, actorOfPrincipal(principal));
      return c.json(outcome ? { applied: true, mode: outcome.mode, cutoff: outcome.cutoff, events: outcome.events } : { applied: false, events: 0 }, 200);
    },
  );
}
