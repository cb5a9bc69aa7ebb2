import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { AnyObject, ConfigBody, documentOf, json } from './config-body.ts';
import { toPublishedSchema } from './config-documents.ts';
import { applyStageRules } from './derivation.service.ts';
import { findContactId } from './scoring.service.ts';
import { StageRulesSchema } from './stage-rules.ts';
import { countContactsByStage, getStageRules, getStagesOfContact, listStageHistory } from './stages.service.ts';

const security = [{ adminKey: [] }];
const tags = ['Stages'];

export const STAGES_JSON_SCHEMA = toPublishedSchema(StageRulesSchema, 'stages', 'Keel lifecycle and engagement stage rules');

export function registerStageRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createRoute({ method: 'get', path: '/api/v1/stages/schema', tags, security, summary: 'The JSON Schema of stage rule documents', responses: { 200: json(AnyObject, 'JSON Schema'), ...ERROR_RESPONSES } }), (c) => c.json(STAGES_JSON_SCHEMA, 200));
  app.openapi(createRoute({ method: 'get', path: '/api/v1/stages/rules', tags, security, summary: 'The lifecycle and engagement stage rules', responses: { 200: json(AnyObject, 'Rules (null when none)'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson({ rules: await getStageRules(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/stages/rules', tags, security, summary: 'Replace the stage rules (schemas/stages.schema.json); stages and segments are recomputed', request: { body: { content: { 'application/json': { schema: ConfigBody } }, required: true } }, responses: { 200: json(AnyObject, 'Applied'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      return c.json(toJson(await applyStageRules(deps.db, principal.workspaceId, documentOf(c.req.valid('json')), actorOfPrincipal(principal))), 200);
    },
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/stages/counts', tags, security, summary: 'Contacts per stage, per dimension', responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'Counts'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson({ data: await countContactsByStage(deps.db, c.get('principal').workspaceId) }), 200),
  );
  const HistoryQuery = z
    .object({ contact: z.string().min(1).max(320).optional().openapi({ description: 'Contact id or email' }), dimension: z.enum(['lifecycle', 'engagement']).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) })
    .strict();
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/stages/history', tags, security, summary: 'Stage moves with timestamps, newest first (for velocity reports and journeys)', request: { query: HistoryQuery }, responses: { 200: json(AnyObject, 'History'), ...ERROR_RESPONSES } }),
    async (c) => {
      const workspaceId = c.get('principal').workspaceId;
      const query = c.req.valid('query');
      const contactId = query.contact ? await findContactId(deps.db, workspaceId, query.contact) : undefined;
      const history = await listStageHistory(deps.db, workspaceId, { contactId, dimension: query.dimension, limit: query.limit });
      const current = contactId ? await getStagesOfContact(deps.db, workspaceId, contactId) : undefined;
      return c.json(toJson({ current, data: history }), 200);
    },
  );
}
