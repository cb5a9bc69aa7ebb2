import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { findContactId } from '../audiences/index.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { previewEmail } from './render-email.ts';
import { checkTemplate } from './template-check.ts';
import { TEMPLATE_JSON_SCHEMA } from './template-document.ts';
import { applyTemplates, getTemplate, listTemplates } from './templates.service.ts';

const security = [{ adminKey: [] }];
const tags = ['Templates'];
const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const KeyParam = z.object({ key: z.string().min(1).max(100).openapi({ param: { name: 'key', in: 'path' }, description: 'The template key' }) });
const VersionQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();

const SummarySchema = z
  .object({ key: z.string(), current_version: z.number().int(), updated_at: isoDate, name: z.string(), subject: z.string(), body_format: z.enum(['mjml', 'html']), default_topic: z.string().nullable() })
  .openapi('EmailTemplateSummary');
const VersionSchema = z
  .object({
    version: z.number().int(),
    name: z.string(),
    subject: z.string(),
    preheader: z.string().nullable(),
    body_format: z.enum(['mjml', 'html']),
    body: z.string(),
    text_body: z.string().nullable(),
    default_topic: z.string().nullable(),
    compiled_html: z.string(),
    created_by: z.string(),
    created_at: isoDate,
  })
  .openapi('EmailTemplateVersion');
const TemplateSchema = z
  .object({
    key: z.string(),
    current_version: z.number().int(),
    version: VersionSchema,
    versions: z.array(z.object({ version: z.number().int(), name: z.string(), subject: z.string(), created_by: z.string(), created_at: isoDate })),
  })
  .openapi('EmailTemplate');
const AppliedSchema = z.object({ key: z.string(), version: z.number().int(), changed: z.boolean(), created: z.boolean() }).openapi('AppliedEmailTemplate');
const RenderedSchema = z
  .object({ templateKey: z.string(), templateVersion: z.number().int(), subject: z.string(), preheader: z.string().nullable(), html: z.string(), text: z.string(), topic: z.string().nullable().optional() })
  .openapi('RenderedEmail');
const ApplyBody = z
  .record(z.string(), z.unknown())
  .openapi('ApplyEmailTemplate', { description: 'A template document as JSON (kind: template, see schemas/email-template.schema.json), or { "yaml": "..." } with one or more YAML documents' });

/** Templates: create/update (new version on change), list, read with versions, preview, QA check, the JSON Schema. */
export function registerTemplateRoutes(app: ApiApp, deps: RouteDeps): void {
  registerWriteRoutes(app, deps);
  registerReadRoutes(app, deps);
}

function registerWriteRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/templates',
      tags,
      security,
      summary: 'Create or update templates; changed content becomes a new version (validated, MJML compiled; audited)',
      request: { body: { content: { 'application/json': { schema: ApplyBody } }, required: true } },
      responses: { 200: json('What was saved (changed: false when identical to the current version)', z.object({ data: z.array(AppliedSchema) })), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      const body = c.req.valid('json');
      const input = Object.keys(body).length === 1 && typeof body.yaml === 'string' ? body.yaml : body;
      return c.json({ data: await applyTemplates(deps.db, principal.workspaceId, input, actorOfPrincipal(principal), typeof input === 'string' ? 'yaml' : 'body') }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/templates/{key}/preview',
      tags,
      security,
      summary: 'Render a template for one contact (by email or id), without tracking or sending',
      request: {
        params: KeyParam,
        body: { content: { 'application/json': { schema: z.object({ contact: z.string().min(1).max(320).openapi({ description: 'Email address or contact id' }), version: z.number().int().min(1).optional() }).strict() } }, required: true },
      },
      responses: { 200: json('The rendered email', RenderedSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const workspaceId = c.get('principal').workspaceId;
      const body = c.req.valid('json');
      const contactId = await findContactId(deps.db, workspaceId, body.contact);
      const { messageId: _, ...email } = await previewEmail(deps.db, workspaceId, c.req.valid('param').key, contactId, body.version);
      return c.json(email, 200);
    },
  );
}

function registerReadRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/templates', tags, security, summary: 'Every template with its current version', responses: { 200: json('Templates by key', z.object({ data: z.array(SummarySchema) })), ...ERROR_RESPONSES } }),
    async (c) => c.json(toJson({ data: await listTemplates(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/templates/{key}',
      tags,
      security,
      summary: 'A template: its current version (or ?version=N) and the list of versions',
      request: { params: KeyParam, query: VersionQuery },
      responses: { 200: json('The template', TemplateSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const t = await getTemplate(deps.db, c.get('principal').workspaceId, c.req.valid('param').key, c.req.valid('query').version);
      const { workspace_id: _w, template_id: _t, content_hash: _h, source_yaml: _s, ...version } = t.version;
      return c.json(toJson({ ...t, version, versions: t.versions.map(({ content_hash: _c, ...v }) => v) }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/templates/{key}/check',
      tags,
      security,
      summary: 'QA report: missing merge fields over a sample of contacts, links, image alt text, unsubscribe footer placement, spam words',
      request: { params: KeyParam, query: z.object({ version: z.coerce.number().int().min(1).optional(), sample: z.coerce.number().int().min(1).max(1000).optional() }).strict() },
      responses: { 200: json('The report', z.record(z.string(), z.unknown()).openapi('TemplateCheckReport')), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(await checkTemplate(deps.db, c.get('principal').workspaceId, c.req.valid('param').key, c.req.valid('query'))), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/schemas/email-template.json',
      tags,
      security,
      summary: 'The JSON Schema of template YAML (also schemas/email-template.schema.json)',
      responses: { 200: json('JSON Schema (draft 2020-12)', z.record(z.string(), z.unknown())), ...ERROR_RESPONSES },
    }),
    (c) => c.json(TEMPLATE_JSON_SCHEMA, 200),
  );
}
