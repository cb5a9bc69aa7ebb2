import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { buildHealthReport, listHealthSnapshots, takeHealthSnapshot } from './data-health.service.ts';
import type { HealthSources } from './health-sources.ts';

const security = [{ adminKey: [] }];
const tags = ['Data health'];
const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });
const Loose = z.record(z.string(), z.unknown());
const Share = z.number().nullable().openapi({ description: '0..1, null when there is nothing to measure' });

const ReportQuery = z
  .object({
    stale_days: z.coerce.number().int().min(1).max(3650).optional().openapi({ description: 'Records not seen or updated for this many days are stale (default 180)' }),
    window_days: z.coerce.number().int().min(1).max(3650).optional().openapi({ description: 'Tracking-plan violations over this many days (default 30)' }),
  })
  .strict();

const FieldSchema = z.object({
  entity: z.enum(['contacts', 'accounts']),
  field: z.string(),
  check: z.string(),
  filled: z.number().int(),
  missing: z.number().int(),
  invalid: z.number().int(),
  completeness: Share,
  validity: Share,
  invalid_examples: z.array(z.object({ id: z.string(), value: z.string() })),
});

const ReportSchema = z
  .object({
    generated_at: isoDate,
    stale_days: z.number().int(),
    window_days: z.number().int(),
    score: z.object({
      value: z.number().openapi({ description: '0-100' }),
      formula: z.string(),
      components: z.array(z.object({ name: z.string(), weight: z.number(), value: Share, note: z.string().optional() })),
    }),
    records: z.object({ known_contacts: z.number().int(), accounts: z.number().int() }),
    fields: z.array(FieldSchema),
    duplicates: z.object({ method: z.string(), contacts: z.number().int(), accounts: z.number().int(), rate: Share, detail: Loose }),
    tracking_plan: z.object({ checked: z.number().int(), violating: z.number().int(), blocked: z.number().int(), violation_rate: Share, worst: z.array(Loose) }),
    stale: z.object({ contacts: z.number().int(), accounts: z.number().int(), rate: Share }),
    consent: z.object({ available: z.boolean(), contacts_without_consent: z.number().int().nullable(), note: z.string(), examples: z.array(z.string()) }),
    worst_offenders: z.object({ fields: z.array(FieldSchema), records: z.array(Loose), rules: z.array(Loose) }),
    trend: z.array(z.object({ day: z.string(), score: z.number(), figures: Loose })),
  })
  .openapi('DataHealthReport');

const SnapshotSchema = z.object({ day: z.string(), taken_at: isoDate, score: z.number(), figures: Loose }).openapi('DataHealthSnapshot');

/** The data-health report, and its daily snapshots (the trend). */
export function registerDataHealthRoutes(app: ApiApp, deps: RouteDeps & { healthSources?: HealthSources | undefined }): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/data-health',
      tags,
      security,
      summary: 'Data-health report: completeness and validity per field, duplicates, violations, stale records, consent, worst offenders, trend, score',
      request: { query: ReportQuery },
      responses: { 200: json('The report', ReportSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const report = await buildHealthReport(deps.db, c.get('principal').workspaceId, { staleDays: query.stale_days, windowDays: query.window_days, sources: deps.healthSources });
      return c.json(toJson(report), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/data-health/snapshots',
      tags,
      security,
      summary: "Take today's snapshot now (the worker takes one a day; a second one the same day replaces the first)",
      responses: { 201: json('Taken', z.object({ day: z.string(), score: z.number() })), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(await takeHealthSnapshot(deps.db, c.get('principal').workspaceId, { sources: deps.healthSources }), 201),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/data-health/snapshots',
      tags,
      security,
      summary: 'Daily snapshots, oldest first (the latest `limit` days)',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(366).default(30) }).strict() },
      responses: { 200: json('Snapshots', z.object({ data: z.array(SnapshotSchema) })), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const rows = await listHealthSnapshots(deps.db, c.get('principal').workspaceId, c.req.valid('query').limit);
      return c.json(toJson({ data: rows.map((r) => ({ ...r, score: Number(r.score) })) }), 200);
    },
  );
}
