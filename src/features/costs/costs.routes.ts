import { createRoute, z } from '@hono/zod-openapi';
import { formatCsv } from '../../platform/csv-format.ts';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { readBody } from '../../platform/http/body.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { importCostRows, importCostsCsv, listCosts, type CostRow } from './costs.service.ts';

const security = [{ adminKey: [] }];
const MAX_CSV_BYTES = 5 * 1024 * 1024;
const day = z.string().date();

const ImportResultSchema = z.object({ rows: z.number(), inserted: z.number(), updated: z.number() }).openapi('CostImportResult');
const CostRowSchema = z
  .object({ period_start: z.string(), period_end: z.string().openapi({ description: 'Exclusive' }), channel: z.string(), campaign: z.string().openapi({ description: "'' for the channel as a whole" }), cost: z.number(), currency: z.string(), source: z.string() })
  .openapi('CostRow');
const cell = z.union([z.string(), z.number()]);
const CostRowsBody = z
  .object({
    rows: z
      .array(z.object({ date: cell.optional(), period: cell.optional(), channel: cell.optional(), campaign: cell.optional(), cost: cell.optional(), currency: cell.optional() }).strict())
      .min(1)
      .max(50_000),
  })
  .strict()
  .openapi('ImportCostRows');

export const COST_CSV_HEADER = ['period_start', 'period_end', 'channel', 'campaign', 'cost', 'currency', 'source'] as const;
export const formatCostsCsv = (rows: CostRow[]) => formatCsv(COST_CSV_HEADER, rows.map((r) => [r.period_start, r.period_end, r.channel, r.campaign, r.cost, r.currency, r.source]));

export function registerCostRoutes(app: ApiApp, deps: RouteDeps): void {
  const importDescription = 'All or nothing: a problem refuses the import and details.problems lists each (row, column, value, reason). The same period, channel, campaign and currency again replaces the cost.';
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/costs/import', tags: ['Reports'], security,
      summary: 'Import marketing costs from CSV (columns date or period, channel, campaign, cost, currency)', description: importDescription,
      request: { body: { content: { 'text/csv': { schema: z.string() } }, required: true } },
      responses: { 201: { description: 'Imported', content: { 'application/json': { schema: ImportResultSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^text\/(csv|plain)/i.test(type)) throw new AppError('unsupported_media_type', `Send the CSV with Content-Type text/csv, got ${JSON.stringify(type)}`);
      const principal = c.get('principal');
      const body = await readBody(c.req.raw, MAX_CSV_BYTES);
      return c.json(await importCostsCsv(deps.db, principal.workspaceId, body, actorOfPrincipal(principal), 'api-csv'), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/costs', tags: ['Reports'], security,
      summary: 'Import marketing costs as JSON rows (the CSV columns as fields)', description: importDescription,
      request: { body: { content: { 'application/json': { schema: CostRowsBody } }, required: true } },
      responses: { 201: { description: 'Imported', content: { 'application/json': { schema: ImportResultSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      return c.json(await importCostRows(deps.db, principal.workspaceId, c.req.valid('json').rows, actorOfPrincipal(principal)), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/costs', tags: ['Reports'], security,
      summary: 'Imported costs whose period overlaps [from, to) (default: all)',
      request: { query: z.object({ from: day.optional(), to: day.optional(), format: z.enum(['json', 'csv']).default('json') }).strict() },
      responses: {
        200: { description: 'Cost rows', content: { 'application/json': { schema: z.object({ data: z.array(CostRowSchema) }) }, 'text/csv': { schema: z.string() } } },
        ...ERROR_RESPONSES,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await listCosts(deps.db, c.get('principal').workspaceId, new Date(q.from ?? '1970-01-01'), new Date(q.to ?? '9999-01-01'));
      if (q.format === 'csv') return c.body(formatCostsCsv(rows), 200, { 'content-type': 'text/csv; charset=utf-8' });
      return c.json({ data: rows }, 200);
    },
  );
}
