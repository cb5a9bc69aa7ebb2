import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { buildTrackingPlanJsonSchema, PLAN_ACTIONS, RULE_KINDS } from './tracking-plan.schema.ts';
import { applyTrackingPlan, countViolationsByDay, getTrackingPlan, listTrackingPlanVersions, listUnknowns, listViolations } from './tracking-plan.service.ts';

const security = [{ adminKey: [] }];
const tags = ['Tracking plan'];
const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

const PlanSchema = z
  .object({ version: z.number().int(), applied_at: isoDate, applied_by: z.string(), source_yaml: z.string(), plan: z.record(z.string(), z.unknown()) })
  .openapi('TrackingPlanVersion');
const AppliedSchema = z
  .object({ version: z.number().int(), changed: z.boolean(), events: z.number().int(), identifyTraits: z.number().int(), groupTraits: z.number().int() })
  .openapi('AppliedTrackingPlan');
const ViolationSchema = z
  .object({
    id: z.string(),
    recorded_at: isoDate,
    plan_version: z.number().int(),
    message_id: z.string(),
    event_type: z.string(),
    event_name: z.string().nullable(),
    event_timestamp: isoDate,
    rule: z.enum(RULE_KINDS),
    subject: z.string(),
    field: z.string().nullable(),
    value: z.string().nullable().openapi({ description: 'The value at fault as JSON text (truncated)' }),
    reason: z.string(),
    action: z.enum(['flag', 'block']),
  })
  .openapi('TrackingPlanViolation');
const CountSchema = z.object({ day: z.string(), rule: z.string(), action: z.enum(PLAN_ACTIONS), violations: z.number().int() }).openapi('TrackingPlanViolationCount');
const UnknownSchema = z
  .object({ kind: z.enum(['event', 'property', 'trait']), name: z.string(), seen: z.number().int(), first_seen_at: isoDate, last_seen_at: isoDate, example_message_id: z.string(), example_value: z.string().nullable() })
  .openapi('TrackingPlanUnknown');

/** Tracking plan: apply and read versions, violations, counts per day, unknowns, the JSON Schema. */
export function registerTrackingPlanRoutes(app: ApiApp, deps: RouteDeps): void {
  registerPlanRoutes(app, deps);
  registerFindingRoutes(app, deps);
}

function registerPlanRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tracking-plan',
      tags,
      security,
      summary: 'The tracking plan in force (or ?version=N), with its YAML',
      request: { query: z.object({ version: z.coerce.number().int().min(1).optional() }).strict() },
      responses: { 200: json('The plan', PlanSchema), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(await getTrackingPlan(deps.db, c.get('principal').workspaceId, c.req.valid('query').version)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/tracking-plan',
      tags,
      security,
      summary: 'Apply tracking-plan YAML as a new version (validated against the schema; audited)',
      request: { body: { content: { 'application/json': { schema: z.object({ yaml: z.string().min(1) }).strict().openapi('ApplyTrackingPlan') } }, required: true } },
      responses: { 200: json('Applied (changed: false when identical to the plan in force)', AppliedSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      return c.json(await applyTrackingPlan(deps.db, principal.workspaceId, c.req.valid('json').yaml, actorOfPrincipal(principal)), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tracking-plan/versions',
      tags,
      security,
      summary: 'Every applied version, newest first',
      responses: { 200: json('Versions', z.object({ data: z.array(z.object({ version: z.number().int(), applied_at: isoDate, applied_by: z.string() })) })), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson({ data: await listTrackingPlanVersions(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/schemas/tracking-plan.json',
      tags,
      security,
      summary: 'The JSON Schema of tracking-plan YAML (also schemas/tracking-plan.schema.json)',
      responses: { 200: json('JSON Schema (draft 2020-12)', z.record(z.string(), z.unknown())), ...ERROR_RESPONSES },
    }),
    (c) => c.json(buildTrackingPlanJsonSchema(), 200),
  );
}

function registerFindingRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tracking-plan/violations',
      tags,
      security,
      summary: 'Flagged and blocked events, newest first, with the rule, field, value and reason',
      request: { query: z.object({ rule: z.enum(RULE_KINDS).optional(), subject: z.string().max(300).optional(), limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: json('A page of violations', PageSchema(ViolationSchema)), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['bigint']);
      const rows = await listViolations(deps.db, c.get('principal').workspaceId, { rule: query.rule, subject: query.subject, limit: query.limit, beforeId: before?.[0] });
      return c.json(toJson(toPage(rows, query.limit, (r) => [r.id])), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tracking-plan/violation-counts',
      tags,
      security,
      summary: 'Violations per day (event time, UTC) and rule, for trends; includes rules set to count',
      request: { query: z.object({ rule: z.enum(RULE_KINDS).optional(), from: Day.optional(), to: Day.optional() }).strict() },
      responses: { 200: json('Counts, oldest day first', z.object({ data: z.array(CountSchema) })), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const rows = await countViolationsByDay(deps.db, c.get('principal').workspaceId, c.req.valid('query'));
      return c.json({ data: rows.map((r) => ({ ...r, violations: Number(r.violations) })) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/tracking-plan/unknowns',
      tags,
      security,
      summary: 'Events, properties and traits the plan does not declare: counts and the latest example',
      request: { query: z.object({ kind: z.enum(['event', 'property', 'trait']).optional(), limit: LimitParam }).strict() },
      responses: { 200: json('Most seen first', z.object({ data: z.array(UnknownSchema) })), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const rows = await listUnknowns(deps.db, c.get('principal').workspaceId, query.kind, query.limit);
      return c.json(toJson({ data: rows.map((r) => ({ ...r, seen: Number(r.seen) })) }), 200);
    },
  );
}
