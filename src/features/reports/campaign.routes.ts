import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { MODEL_NAMES } from '../attribution/index.ts';
import { formatCampaignCsv, formatCampaignListCsv } from './campaign-csv.ts';
import { REVENUE_BASES, reportCampaign, reportCampaigns, type CampaignQuery } from './campaign-report.service.ts';

const security = [{ adminKey: [] }];
const when = z.string().date().or(z.string().datetime({ offset: true }));
const num = z.number();
const rate = z.number().nullable();
const Delivery = {
  sent: num, delivered: num, bounced: num, bounced_hard: num, bounced_soft: num, opened_unique: num, opened_total: num, human_opened_unique: num, human_opened_total: num, machine_opened_total: num,
  clicked_unique: num, clicked_total: num, open_rate: rate, human_open_rate: rate, click_rate: rate, click_to_open: rate, click_to_human_open: rate, unsubscribed: num, unsubscribe_rate: rate, converted_recipients: num,
};
const Outcomes = { entered: num, converted: num, conversion_rate: rate, revenue: z.number().nullable() };
const Test = { difference: num, relative_lift: rate, z: rate, p_value: rate, ci_low: rate, ci_high: rate, significant: z.boolean() };
const TotalsSchema = z.object({ ...Delivery, ...Outcomes, cost: num, roi: rate }).openapi('CampaignTotals');
const CampaignSchema = z
  .object({
    journey: z.object({ id: z.string(), key: z.string(), name: z.string(), state: z.string() }),
    from: z.string(), to: z.string(), unsubscribe_window_days: num, revenue_basis: z.enum(REVENUE_BASES), revenue_window_days: rate, model: z.enum(MODEL_NAMES).nullable(), currency: z.string().nullable(), control: z.string().nullable(),
    totals: TotalsSchema,
    steps: z.array(z.object({ step_id: z.string(), channel: z.string(), variant: z.string().nullable(), ...Delivery })),
    variants: z.array(z.object({ variant: z.string(), holdout: z.boolean(), ...Delivery, ...Outcomes })),
    tests: z.array(z.object({ variant: z.string(), control: z.string(), metric: z.enum(['conversion', 'click']), rate, control_rate: rate, n: num, control_n: num, ...Test })),
    holdout: z.object({ treated_entered: num, treated_converted: num, treated_rate: rate, holdout_entered: num, holdout_converted: num, holdout_rate: rate, ...Test }).nullable(),
  })
  .openapi('CampaignReport');
const CampaignListSchema = z
  .object({ from: z.string().nullable(), to: z.string().nullable(), revenue_basis: z.enum(REVENUE_BASES), journeys: z.array(z.object({ key: z.string(), name: z.string(), state: z.string(), holdout_lift: rate, holdout_p_value: rate, ...TotalsSchema.shape })) })
  .openapi('CampaignList');
const ListQuery = z
  .object({
    from: when.optional().openapi({ description: 'Messages sent and runs entered from (default: the journey was created)' }),
    to: when.optional().openapi({ description: 'Exclusive; default now' }),
    unsubscribe_window_days: z.coerce.number().positive().max(3650).optional().openapi({ description: 'An opt-out this many days after a message of the journey counts as its unsubscribe (default 7)' }),
    revenue: z.enum(REVENUE_BASES).optional().openapi({ description: 'won_opportunities (default): won deals of converted contacts\' accounts; attributed: attributed revenue of the campaign under model' }),
    revenue_window_days: z.coerce.number().positive().max(3650).optional().openapi({ description: 'won_opportunities: deals closed this many days after the conversion (default 90)' }),
    model: z.enum(MODEL_NAMES).optional().openapi({ description: 'attributed: the model (default linear)' }),
    currency: z.string().max(10).optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();
const DetailQuery = ListQuery.extend({ control: z.string().min(1).max(100).optional().openapi({ description: 'The variant others are tested against (default: the first variant of the first split step)' }) }).strict();

const csv = (body: string) => [body, 200, { 'content-type': 'text/csv; charset=utf-8' }] as const;
const responses = (schema: z.ZodType) => ({ 200: { description: 'The report (JSON, or CSV with format=csv)', content: { 'application/json': { schema }, 'text/csv': { schema: z.string() } } }, ...ERROR_RESPONSES });
const queryOf = (q: z.infer<typeof DetailQuery>): CampaignQuery => ({
  from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, unsubscribeWindowDays: q.unsubscribe_window_days, revenue: q.revenue, revenueWindowDays: q.revenue_window_days, model: q.model, currency: q.currency, control: q.control,
});

export function registerCampaignReportRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/reports/campaigns', tags: ['Reports'], security, summary: 'Journeys with their delivery totals: sent, delivered, bounced, opens (human and machine), clicks, unsubscribes, conversions, revenue, cost, ROI', request: { query: ListQuery }, responses: responses(CampaignListSchema) }),
    async (c) => {
      const q = c.req.valid('query');
      const list = await reportCampaigns(deps.db, c.get('principal').workspaceId, queryOf(q));
      return q.format === 'csv' ? c.body(...csv(formatCampaignListCsv(list))) : c.json(list, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/reports/campaigns/{journeyKey}', tags: ['Reports'], security,
      summary: 'One journey per step and A/B variant (and holdout), with two-proportion z-tests of conversion and click rate against the control and the holdout lift',
      request: { params: z.object({ journeyKey: z.string().min(1).max(200) }), query: DetailQuery }, responses: responses(CampaignSchema),
    }),
    async (c) => {
      const q = c.req.valid('query');
      const report = await reportCampaign(deps.db, c.get('principal').workspaceId, c.req.valid('param').journeyKey, queryOf(q));
      return q.format === 'csv' ? c.body(...csv(formatCampaignCsv(report))) : c.json(report, 200);
    },
  );
}
