import { createRoute, z } from '@hono/zod-openapi';
import { PERIOD_UNITS } from '../../platform/calendar-periods.ts';
import { ERROR_RESPONSES } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { MODEL_NAMES, type ModelName } from './attribution-models.ts';
import { getAttributionSettings, saveAttributionSettings, type AttributionSettings } from './attribution-settings.ts';
import { attributeWorkspace } from './attribution.service.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { channelRulesJsonSchema } from './channel-rules.ts';
import { formatWorkspaceCsv } from './credits-csv.ts';
import { parseMilestoneWeights } from './milestone-models.ts';
import { DIMENSIONS } from './workspace-journeys.ts';

const ReportQuery = z
  .object({
    model: z.enum(MODEL_NAMES).default('linear'),
    from: z.string().date().or(z.string().datetime({ offset: true })).optional().openapi({ description: 'Period start, inclusive (default: start of last calendar quarter, UTC)' }),
    to: z.string().date().or(z.string().datetime({ offset: true })).optional().openapi({ description: 'Period end, exclusive (default: start of this quarter)' }),
    by: z.enum(DIMENSIONS).default('channel'),
    lookback_days: z.coerce.number().positive().max(3650).default(90),
    order: z.coerce.number().int().min(1).max(4).optional().openapi({ description: 'Markov order' }),
    half_life_days: z.coerce.number().positive().optional().openapi({ description: 'time-decay half-life (default 7)' }),
    weights: z.string().max(300).optional().openapi({ description: 'custom model: first_touch=0.4,lead_creation=0.4,between=0.2' }),
    min_employees: z.coerce.number().int().min(0).optional().openapi({ description: 'Only accounts with at least this many employees (e.g. 1000: enterprise) and their contacts' }),
    period: z.enum(PERIOD_UNITS).optional().openapi({ description: 'Also break the credits down by the day, week, month or quarter of each conversion (by_period; CSV: one row per period and key)' }),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

const CreditRowSchema = z.object({ key: z.string(), conversions: z.number(), value: z.number(), opportunities: z.number(), pipeline: z.number(), won: z.number(), revenue: z.number() });
const ReportSchema = z
  .object({
    model: z.enum(MODEL_NAMES),
    dimension: z.enum(DIMENSIONS),
    from: z.string(),
    to: z.string(),
    lookback_days: z.number(),
    min_employees: z.number().nullable(),
    rows: z.array(CreditRowSchema),
    totals: CreditRowSchema.omit({ key: true }),
    touchpoints: z.number(),
    journeys: z.object({ conversions: z.number(), pipeline: z.number(), revenue: z.number() }),
    untouched: z.object({ conversions: z.number(), opportunities: z.number(), won: z.number() }),
    unmapped: z.array(z.object({ source_medium: z.string(), touches: z.number() })),
    notes: z.record(z.string(), z.union([z.string(), z.number()])),
    period: z.enum(PERIOD_UNITS).nullable(),
    by_period: z.array(CreditRowSchema.extend({ period: z.string().openapi({ description: '2026-09-14, 2026-W38, 2026-09 or 2026-Q3' }) })),
  })
  .openapi('AttributionReport');

const SettingsSchema = z
  .object({ yaml: z.string().nullable().openapi({ description: 'As saved; null: the defaults are in use' }), config: z.record(z.string(), z.unknown()), updated_at: z.string().nullable() })
  .openapi('AttributionSettings');
const SettingsBody = z.object({ yaml: z.string().min(1).max(262_144).openapi({ description: 'Settings YAML (schema: GET /api/v1/attribution/schema)' }) }).strict().openapi('SaveAttributionSettings');
const presentSettings = (s: AttributionSettings) => ({ yaml: s.yaml, config: s.config as unknown as Record<string, unknown>, updated_at: s.updated_at?.toISOString() ?? null });

/** Start of the calendar quarter `back` quarters before the one holding `now` (UTC). */
export function quarterStart(now: Date, back: number): Date {
  const q = Math.floor(now.getUTCMonth() / 3) - back;
  return new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1));
}

export function registerAttributionRoutes(app: ApiApp, deps: RouteDeps): void {
  registerReportRoute(app, deps);
  registerSettingsRoutes(app, deps);
}

function registerSettingsRoutes(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/attribution/settings',
      tags: ['Attribution'],
      summary: 'The workspace\'s attribution settings (channel grouping rules, conversions), or the defaults',
      security,
      responses: { 200: { description: 'Settings', content: { 'application/json': { schema: SettingsSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(presentSettings(await getAttributionSettings(deps.db, c.get('principal').workspaceId)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/attribution/settings',
      tags: ['Attribution'],
      summary: 'Save the attribution settings YAML (validated against its schema; recorded in the audit log)',
      security,
      request: { body: { content: { 'application/json': { schema: SettingsBody } }, required: true } },
      responses: { 200: { description: 'Saved', content: { 'application/json': { schema: SettingsSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      const saved = await saveAttributionSettings(deps.db, principal.workspaceId, c.req.valid('json').yaml, actorOfPrincipal(principal));
      return c.json(presentSettings(saved), 200);
    },
  );
}

function registerReportRoute(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/attribution',
      tags: ['Attribution'],
      summary: 'Conversions, value, pipeline and revenue credited per channel, source, campaign or content by one model',
      security,
      request: { query: ReportQuery },
      responses: {
        200: { description: 'The credits (JSON report, or CSV with format=csv)', content: { 'application/json': { schema: ReportSchema }, 'text/csv': { schema: z.string() } } },
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const now = new Date();
      const report = await attributeWorkspace(deps.db, c.get('principal').workspaceId, {
        model: q.model as ModelName,
        from: q.from ? new Date(q.from) : quarterStart(now, 1),
        to: q.to ? new Date(q.to) : quarterStart(now, 0),
        dimension: q.by,
        lookbackDays: q.lookback_days,
        minEmployees: q.min_employees,
        period: q.period,
        options: { order: q.order, halfLifeDays: q.half_life_days, milestoneWeights: q.weights ? parseMilestoneWeights(q.weights) : undefined },
      });
      if (q.format === 'csv') return c.body(formatWorkspaceCsv(report), 200, { 'content-type': 'text/csv; charset=utf-8' });
      return c.json(report, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/attribution/schema',
      tags: ['Attribution'],
      summary: 'JSON Schema of the attribution settings YAML (channel grouping rules, conversions)',
      security,
      responses: { 200: { description: 'JSON Schema', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } }, ...ERROR_RESPONSES },
    }),
    (c) => c.json(channelRulesJsonSchema(), 200),
  );
}
