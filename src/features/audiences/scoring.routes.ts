import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { AnyObject, ConfigBody, documentOf, json, NameParam } from './config-body.ts';
import { toPublishedSchema } from './config-documents.ts';
import { applyScoringModel, countAudienceQueue, recomputeAudiences } from './derivation.service.ts';
import { ScoringModelSchema } from './scoring-model.ts';
import { backtestModel, deleteScoringModel, explainScores, getAccountScores, getScoringModel, listScoringModels } from './scoring.service.ts';

const security = [{ adminKey: [] }];
const tags = ['Scoring'];
const present = ({ workspace_id: _, ...row }: { workspace_id: string } & Record<string, unknown>) => row;

export const SCORING_MODEL_JSON_SCHEMA = toPublishedSchema(ScoringModelSchema, 'scoring-model', 'Keel scoring model');

export function registerScoringRoutes(app: ApiApp, deps: RouteDeps): void {
  registerModelRoutes(app, deps);
  registerScoreReads(app, deps);
  registerRecomputeRoutes(app, deps);
}

function registerModelRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createRoute({ method: 'get', path: '/api/v1/scoring-models', tags, security, summary: 'Scoring models', responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'Models'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson({ data: (await listScoringModels(deps.db, c.get('principal').workspaceId)).map(present) }), 200),
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/scoring-models/schema', tags, security, summary: 'The JSON Schema of scoring model documents', responses: { 200: json(AnyObject, 'JSON Schema'), ...ERROR_RESPONSES } }), (c) =>
    c.json(SCORING_MODEL_JSON_SCHEMA, 200),
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/scoring-models/{name}', tags, security, summary: 'One scoring model', request: { params: NameParam }, responses: { 200: json(AnyObject, 'The model'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson(present(await getScoringModel(deps.db, c.get('principal').workspaceId, c.req.valid('param').name))), 200),
  );
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/scoring-models', tags, security, summary: 'Create or replace a scoring model (schemas/scoring-model.schema.json); scores, stages and segments are recomputed', request: { body: { content: { 'application/json': { schema: ConfigBody } }, required: true } }, responses: { 200: json(AnyObject, 'Applied'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      const applied = await applyScoringModel(deps.db, principal.workspaceId, documentOf(c.req.valid('json')), actorOfPrincipal(principal));
      return c.json(toJson({ model: present(applied.model), created: applied.created, recompute: applied.recompute }), 200);
    },
  );
  app.openapi(createRoute({ method: 'delete', path: '/api/v1/scoring-models/{name}', tags, security, summary: 'Delete a scoring model and its scores', request: { params: NameParam }, responses: { 204: { description: 'Deleted' }, ...ERROR_RESPONSES } }), async (c) => {
    const principal = c.get('principal');
    await deps.db.transaction().execute((trx) => deleteScoringModel(trx, principal.workspaceId, c.req.valid('param').name, actorOfPrincipal(principal)));
    return c.body(null, 204);
  });
  const BacktestQuery = z.object({ bands: z.coerce.number().int().min(2).max(20).default(5) }).strict();
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/scoring-models/{name}/backtest', tags, security, summary: 'Conversion per score band, ROC AUC and a suggested MQL threshold from closed opportunities', request: { params: NameParam, query: BacktestQuery }, responses: { 200: json(AnyObject, 'Backtest'), ...ERROR_RESPONSES } }),
    async (c) => c.json(toJson(await backtestModel(deps.db, c.get('principal').workspaceId, c.req.valid('param').name, { bands: c.req.valid('query').bands })), 200),
  );
}

function registerScoreReads(app: ApiApp, deps: RouteDeps): void {
  const ExplainQuery = z.object({ changes: z.coerce.number().int().min(0).max(500).default(20) }).strict();
  const ContactParam = z.object({ contact: z.string().min(1).max(320).openapi({ param: { name: 'contact', in: 'path' }, description: 'Contact id or email' }) });
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/scores/contacts/{contact}', tags, security, summary: "Why a contact has its scores: each rule's points, and the latest changes with their rule", request: { params: ContactParam, query: ExplainQuery }, responses: { 200: json(AnyObject, 'Explanation'), ...ERROR_RESPONSES } }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(toJson(await explainScores(deps.db, c.get('principal').workspaceId, c.req.valid('param').contact, { changes: query.changes })), 200);
    },
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/scores/accounts/{id}', tags, security, summary: "An account's scores per model (account fit, best contact fit, engagement)", request: { params: IdParam }, responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'Scores'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson({ data: await getAccountScores(deps.db, c.get('principal').workspaceId, c.req.valid('param').id) }), 200),
  );
}

function registerRecomputeRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createRoute({ method: 'post', path: '/api/v1/audiences/recompute', tags: ['Segments'], security, summary: 'Recompute every score, stage and segment now (the scheduled full run)', responses: { 200: json(AnyObject, 'What changed'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson(await recomputeAudiences(deps.db, c.get('principal').workspaceId)), 200),
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/audiences/queue', tags: ['Segments'], security, summary: 'Contacts and accounts waiting for incremental recompute', responses: { 200: json(z.object({ pending: z.number() }), 'Queue'), ...ERROR_RESPONSES } }), async (c) =>
    c.json({ pending: await countAudienceQueue(deps.db, c.get('principal').workspaceId) }, 200),
  );
}
