import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { MODEL_NAMES, parseMilestoneWeights, quarterStart } from '../attribution/index.ts';
import { reportCohorts, reportFunnel } from './funnel.service.ts';
import { formatCohortsCsv, formatFunnelCsv, formatRoiCsv } from './reports-csv.ts';
import { reportRoi } from './roi.service.ts';
import { registerCampaignReportRoutes } from './campaign.routes.ts';

const security = [{ adminKey: [] }];
const when = z.string().date().or(z.string().datetime({ offset: true }));
const csvOrJson = z.enum(['json', 'csv']).default('json');
const FunnelQuery = z
  .object({
    from: when.optional().openapi({ description: 'Range start, inclusive (default: the beginning)' }),
    to: when.optional().openapi({ description: 'Range end, exclusive (default: now)' }),
    segment: z.string().min(1).max(200).optional().openapi({ description: "Only this segment's contacts (by name; an account segment: its accounts' contacts)" }),
    format: csvOrJson,
  })
  .strict();
const SpreadSchema = z.object({ count: z.number(), median: z.number().nullable(), p75: z.number().nullable(), p90: z.number().nullable() }).openapi('DaysSpread');
const FunnelSchema = z
  .object({
    from: z.string(), to: z.string(), segment: z.string().nullable(), contacts: z.number(),
    stages: z.array(z.object({ stage: z.string(), reached: z.number(), entered: z.number(), skipped: z.number(), next_stage: z.string().nullable(), converted_to_next: z.number(), conversion_rate: z.number().nullable(), days_in_stage: SpreadSchema })),
  })
  .openapi('FunnelReport');
const CohortSchema = z
  .object({
    from: z.string(), to: z.string(), segment: z.string().nullable(), entry_stage: z.string(),
    cohorts: z.array(z.object({ month: z.string(), size: z.number(), stages: z.array(z.object({ stage: z.string(), reached: z.number(), share: z.number(), days_from_entry: SpreadSchema })) })),
  })
  .openapi('CohortReport');
const RoiRowSchema = z
  .object({ key: z.string(), conversions: z.number(), opportunities: z.number(), pipeline: z.number(), won: z.number(), revenue: z.number(), cost: z.number(), roi: z.number().nullable(), cost_per_conversion: z.number().nullable(), cost_per_opportunity: z.number().nullable() })
  .openapi('RoiRow');
const RoiSchema = z
  .object({ model: z.enum(MODEL_NAMES), from: z.string(), to: z.string(), min_employees: z.number().nullable(), currency: z.string().nullable(), channels: z.array(RoiRowSchema), campaigns: z.array(RoiRowSchema), channel_level_cost: z.number(), totals: RoiRowSchema })
  .openapi('RoiReport');
const RoiQuery = z
  .object({
    model: z.enum(MODEL_NAMES).default('linear'),
    from: when.optional().openapi({ description: 'Default: start of last calendar quarter (UTC)' }),
    to: when.optional().openapi({ description: 'Exclusive; default: start of this quarter' }),
    min_employees: z.coerce.number().int().min(0).optional().openapi({ description: 'Only accounts with at least this many employees (1000: enterprise); costs are not split by account' }),
    currency: z.string().max(10).optional().openapi({ description: 'The costs to count, when the range holds several currencies' }),
    lookback_days: z.coerce.number().positive().max(3650).default(90),
    order: z.coerce.number().int().min(1).max(4).optional(),
    half_life_days: z.coerce.number().positive().optional(),
    weights: z.string().max(300).optional().openapi({ description: 'custom model: first_touch=0.4,lead_creation=0.4,between=0.2' }),
    format: csvOrJson,
  })
  .strict();

const csv = (body: string) => [body, 200, { 'content-type': 'text/csv; charset=utf-8' }] as const;
const responses = (schema: z.ZodType) => ({ 200: { description: 'The report (JSON, or CSV with format=csv)', content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } } }, ...ERROR_RESPONSES });

export function registerReportRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/reports/funnel', tags: ['Reports'], security, summary: 'Lifecycle funnel: contacts per stage, stage-to-stage conversion, days in stage (median, p75, p90)', request: { query: FunnelQuery }, responses: responses(FunnelSchema) }),
    async (c) => {
      const q = c.req.valid('query');
      const report = await reportFunnel(deps.db, c.get('principal').workspaceId, { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, segment: q.segment });
      return q.format === 'csv' ? c.body(...csv(formatFunnelCsv(report))) : c.json(report, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/reports/cohorts', tags: ['Reports'], security, summary: 'Cohorts by month of entry: the share of each month\'s new leads that reached each later stage, and how fast',
      request: { query: FunnelQuery.extend({ entry_stage: z.string().min(1).max(60).optional().openapi({ description: 'Default lead' }) }) }, responses: responses(CohortSchema),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const report = await reportCohorts(deps.db, c.get('principal').workspaceId, { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, segment: q.segment, entryStage: q.entry_stage });
      return q.format === 'csv' ? c.body(...csv(formatCohortsCsv(report))) : c.json(report, 200);
    },
  );
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/reports/roi', tags: ['Reports'], security, summary: 'Attributed pipeline and revenue beside imported cost per channel and campaign: ROI, cost per conversion', request: { query: RoiQuery }, responses: responses(RoiSchema) }),
    async (c) => {
      const q = c.req.valid('query');
      const now = new Date();
      const report = await reportRoi(deps.db, c.get('principal').workspaceId, {
        model: q.model, from: q.from ? new Date(q.from) : quarterStart(now, 1), to: q.to ? new Date(q.to) : quarterStart(now, 0), minEmployees: q.min_employees, currency: q.currency, lookbackDays: q.lookback_days,
        options: { order: q.order, halfLifeDays: q.half_life_days, milestoneWeights: q.weights ? parseMilestoneWeights(q.weights) : undefined },
      });
      return q.format === 'csv' ? c.body(...csv(formatRoiCsv(report))) : c.json(report, 200);
    },
  );
  registerCampaignReportRoutes(app, deps);
}
