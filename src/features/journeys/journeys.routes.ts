import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { toPublishedSchema } from '../audiences/index.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { countJourney, listContactRuns } from './journey-counts.ts';
import { JourneyDefinitionSchema } from './journey-definition.ts';
import type { JourneyRuntime } from './journey-runtime.ts';
import { applyJourney, enrollInJourney, launchJourney, listJourneys, migrateRuns, setJourneyState, showJourney } from './journeys.service.ts';
import { simulateJourney } from './simulate.ts';

const security = [{ adminKey: [] }];
const tags = ['Journeys'];
const AnyObject = z.record(z.string(), z.unknown());
const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
const KeyParam = z.object({ key: z.string().min(1).max(100).openapi({ param: { name: 'key', in: 'path' }, description: 'The journey key' }) });
const JourneyBody = z
  .object({
    yaml: z.string().max(256 * 1024).optional().openapi({ description: 'The journey as YAML (as in a file in git)' }),
    definition: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The journey as a JSON object (schemas/journey.schema.json)' }),
  })
  .strict()
  .openapi('JourneyDocument');
const documentOf = (body: z.infer<typeof JourneyBody>): unknown => {
  if ((body.yaml === undefined) === (body.definition === undefined)) throw new AppError('invalid', 'Send exactly one of "yaml" (text) or "definition" (an object)', { field: 'body' });
  return body.yaml ?? body.definition;
};

export const JOURNEY_JSON_SCHEMA = toPublishedSchema(JourneyDefinitionSchema, 'journey', 'Keel journey');

export interface JourneyRouteDeps extends RouteDeps {
  journeys: JourneyRuntime;
}

export function registerJourneyRoutes(app: ApiApp, deps: JourneyRouteDeps): void {
  // /runs before /{key}: the first matching route wins.
  registerJourneyRuns(app, deps);
  registerJourneyReads(app, deps);
  registerJourneyWrites(app, deps);
}

function registerJourneyReads(app: ApiApp, deps: JourneyRouteDeps): void {
  app.openapi(createRoute({ method: 'get', path: '/api/v1/journeys', tags, security, summary: 'Journeys with their state and current version', responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'Journeys'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson({ data: await listJourneys(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/journeys/schema', tags, security, summary: 'The JSON Schema of journey documents', responses: { 200: json(AnyObject, 'JSON Schema'), ...ERROR_RESPONSES } }), (c) => c.json(JOURNEY_JSON_SCHEMA, 200));
  app.openapi(createRoute({ method: 'get', path: '/api/v1/journeys/{key}', tags, security, summary: 'One journey: state, current definition, versions', request: { params: KeyParam }, responses: { 200: json(AnyObject, 'The journey'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson(await showJourney(deps.db, c.get('principal').workspaceId, c.req.valid('param').key)), 200),
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/journeys/{key}/counts', tags, security, summary: 'Per-step counts (entered, waiting, completed, blocked, exited, converted), runs by status and variant', request: { params: KeyParam }, responses: { 200: json(AnyObject, 'Counts'), ...ERROR_RESPONSES } }),
    async (c) => c.json(toJson(await countJourney(deps.db, c.get('principal').workspaceId, c.req.valid('param').key)), 200),
  );
}

function registerJourneyWrites(app: ApiApp, deps: JourneyRouteDeps): void {
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/journeys', tags, security, summary: 'Create a journey (draft) or store an edited one as a new version', request: { body: { content: { 'application/json': { schema: JourneyBody } }, required: true } }, responses: { 200: json(AnyObject, 'Applied'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      const applied = await applyJourney(deps.db, principal.workspaceId, documentOf(c.req.valid('json')), actorOfPrincipal(principal));
      return c.json(toJson({ key: applied.journey.key, state: applied.journey.state, version: applied.version, created: applied.created, changed: applied.changed }), 200);
    },
  );
  const SimulateQuery = z.object({ days: z.coerce.number().int().min(1).max(365).default(30), sample: z.coerce.number().int().min(1).max(100_000).optional() }).strict();
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/journeys/simulate', tags, security, summary: 'Dry run on a simulated clock: per-step counts, messages per day, sends the gate would block, templates that would not render', request: { query: SimulateQuery, body: { content: { 'application/json': { schema: JourneyBody } }, required: true } }, responses: { 200: json(AnyObject, 'Simulation report'), ...ERROR_RESPONSES } }),
    async (c) => {
      const query = c.req.valid('query');
      const e = deps.journeys.engine;
      return c.json(toJson(await simulateJourney(deps.db, e.effects, deps.logger, c.get('principal').workspaceId, documentOf(c.req.valid('json')), { days: query.days, sample: query.sample })), 200);
    },
  );
  const LaunchBody = z.object({ include_existing: z.boolean().optional().openapi({ description: 'Segment triggers: enroll the current members too' }) }).strict();
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/journeys/{key}/launch', tags, security, summary: 'Make the journey live (or resume a paused one)', request: { params: KeyParam, body: { content: { 'application/json': { schema: LaunchBody } }, required: false } }, responses: { 200: json(AnyObject, 'Launched'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      const body = (await c.req.json().catch(() => ({}))) as { include_existing?: boolean };
      const result = await launchJourney(deps.journeys.engine, principal.workspaceId, c.req.valid('param').key, actorOfPrincipal(principal), { includeExisting: body.include_existing });
      return c.json(toJson({ key: result.journey.key, state: 'live', enrolled: result.enrolled, resumed: result.resumed }), 200);
    },
  );
  for (const [action, state] of [['pause', 'paused'], ['archive', 'archived']] as const) {
    app.openapi(
      createRoute({ method: 'post', path: `/api/v1/journeys/{key}/${action}`, tags, security, summary: action === 'pause' ? 'Pause: no one enters, runs hold at their next step' : 'Archive: no one enters, runs exit at their next step', request: { params: KeyParam }, responses: { 200: json(AnyObject, 'New state'), ...ERROR_RESPONSES } }),
      async (c) => {
        const principal = c.get('principal');
        const journey = await setJourneyState(deps.db, principal.workspaceId, c.req.valid('param').key, state, actorOfPrincipal(principal));
        return c.json(toJson({ key: journey.key, state: journey.state }), 200);
      },
    );
  }
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/journeys/{key}/migrate', tags, security, summary: 'Move active runs on older versions to the current version (where their step still exists)', request: { params: KeyParam }, responses: { 200: json(AnyObject, 'Migrated and kept runs'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      return c.json(toJson(await migrateRuns(deps.journeys.engine, principal.workspaceId, c.req.valid('param').key, actorOfPrincipal(principal))), 200);
    },
  );
}

function registerJourneyRuns(app: ApiApp, deps: JourneyRouteDeps): void {
  const EnrollBody = z.object({ email: z.string().max(320).optional(), contact_id: z.string().uuid().optional() }).strict().openapi('JourneyEnrollment');
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/journeys/{key}/enrollments', tags, security, summary: 'Enroll a contact (manual/API trigger) under the entry rules', request: { params: KeyParam, body: { content: { 'application/json': { schema: EnrollBody } }, required: true } }, responses: { 200: json(AnyObject, 'Enrolled, or why not'), ...ERROR_RESPONSES } }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(toJson(await enrollInJourney(deps.journeys.engine, c.get('principal').workspaceId, c.req.valid('param').key, { email: body.email, contactId: body.contact_id })), 200);
    },
  );
  const RunsQuery = z.object({ email: z.string().max(320).optional(), contact_id: z.string().uuid().optional(), journey: z.string().max(100).optional() }).strict();
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/journeys/runs', tags, security, summary: "A contact's journey runs with every step execution (by email or contact_id)", request: { query: RunsQuery }, responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'Runs'), ...ERROR_RESPONSES } }),
    async (c) => {
      const query = c.req.valid('query');
      return c.json(toJson({ data: await listContactRuns(deps.db, c.get('principal').workspaceId, { email: query.email, contactId: query.contact_id }, query.journey) }), 200);
    },
  );
}
