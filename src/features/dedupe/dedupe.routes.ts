import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, encodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { acceptPair, listReviewQueue, rejectPair } from './dedupe-review.ts';
import { runDedupe } from './dedupe-run.ts';
import { dedupeSettingsJsonSchema, DedupeSettingsSchema } from './dedupe-settings.ts';
import { EntityParam, MergeOutcomeSchema, MergeRowSchema, NumericIdParam, PairSchema, RunRowSchema, RunSummarySchema, UndoOutcomeSchema } from './dedupe.schemas.ts';
import { getDedupeSettings, listDedupeRuns, listMerges, saveDedupeSettings, undoMerge } from './dedupe.service.ts';

const security = [{ adminKey: [] }];
const json = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

export function registerDedupeRoutes(app: ApiApp, deps: RouteDeps): void {
  registerRunRoutes(app, deps);
  registerReviewRoutes(app, deps);
  registerSettingsRoutes(app, deps);
  registerMergeRoutes(app, deps);
}

function registerRunRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/dedupe/runs',
      tags: ['Dedupe'],
      summary: 'Deduplicate contacts or accounts: merge above the auto-merge threshold, queue the middle band for review (dry_run: score only)',
      security,
      request: { body: { content: { 'application/json': { schema: z.object({ entity: EntityParam, dry_run: z.boolean().default(false) }).strict() } }, required: true } },
      responses: { 200: json('What the run found and did', RunSummarySchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      return c.json(toJson(await runDedupe(deps.db, principal.workspaceId, body.entity, { dryRun: body.dry_run, actor: actorOfPrincipal(principal) })), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/dedupe/runs',
      tags: ['Dedupe'],
      summary: 'Past dedupe runs, newest first',
      security,
      request: { query: z.object({ limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: json('A page of runs', PageSchema(RunRowSchema)), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['bigint']);
      const rows = await listDedupeRuns(deps.db, c.get('principal').workspaceId, query.limit + 1, before?.[0]);
      return c.json(toJson(toPage(rows, query.limit, (r) => [r.id])), 200);
    },
  );
}

function decodeReviewCursor(cursor: string | undefined): { probability: number; id: string } | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [probability, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof probability === 'number' && typeof id === 'string' && /^\d{1,18}$/.test(id)) return { probability, id };
  } catch {
    // the error below
  }
  throw new AppError('invalid', `cursor "${cursor.slice(0, 40)}" is not valid; pass the next_cursor of a previous page`);
}

function registerReviewRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/dedupe/review',
      tags: ['Dedupe'],
      summary: 'The review queue: pairs between the two thresholds, most likely first, with per-field evidence',
      security,
      request: { query: z.object({ entity: EntityParam.optional(), limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: json('A page of pending pairs', PageSchema(PairSchema)), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const page = await listReviewQueue(deps.db, c.get('principal').workspaceId, query.entity, query.limit, decodeReviewCursor(query.cursor));
      return c.json(toJson({ data: page.items, next_cursor: page.next ? encodeCursor([page.next.probability, page.next.id]) : null }), 200);
    },
  );
  for (const decision of ['accept', 'reject'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/v1/dedupe/review/{id}/${decision}`,
        tags: ['Dedupe'],
        summary: decision === 'accept' ? 'Accept a pair: the two records merge (undoable)' : 'Reject a pair: not duplicates; later runs keep them apart',
        security,
        request: { params: NumericIdParam },
        responses: {
          200: decision === 'accept' ? json('The merge', MergeOutcomeSchema) : json('The decision', z.object({ pair_id: z.string(), status: z.literal('rejected') })),
          409: { description: 'The pair is not pending (already decided, or a record is gone)' },
          ...ERROR_RESPONSES,
        },
      }),
      async (c) => {
        const principal = c.get('principal');
        const id = c.req.valid('param').id;
        const decide = decision === 'accept' ? acceptPair : rejectPair;
        return c.json(toJson(await decide(deps.db, principal.workspaceId, id, actorOfPrincipal(principal))), 200);
      },
    );
  }
}

function registerSettingsRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/dedupe/settings',
      tags: ['Dedupe'],
      summary: 'Thresholds and survivorship rules of the workspace (defaults until saved)',
      security,
      responses: { 200: json('The settings', DedupeSettingsSchema), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(await getDedupeSettings(deps.db, c.get('principal').workspaceId)), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/dedupe/settings',
      tags: ['Dedupe'],
      summary: 'Replace the thresholds and survivorship rules (audited)',
      security,
      request: { body: { content: { 'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ description: 'A DedupeSettings document' }) } }, required: true } },
      responses: { 200: json('The saved settings', DedupeSettingsSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      return c.json(toJson(await saveDedupeSettings(deps.db, principal.workspaceId, c.req.valid('json'), actorOfPrincipal(principal))), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/dedupe/settings/schema',
      tags: ['Dedupe'],
      summary: 'The JSON Schema of the settings document',
      security,
      responses: { 200: json('JSON Schema', z.record(z.string(), z.unknown())), ...ERROR_RESPONSES },
    }),
    (c) => c.json(dedupeSettingsJsonSchema() as Record<string, unknown>, 200),
  );
}

function registerMergeRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/merges',
      tags: ['Dedupe'],
      summary: 'Merges of contacts (identity resolution, dedupe, review) or accounts, newest first',
      security,
      request: { query: z.object({ entity: EntityParam.default('contact'), limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: json('A page of merges', PageSchema(MergeRowSchema)), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['bigint']);
      const rows = await listMerges(deps.db, c.get('principal').workspaceId, query.entity, query.limit + 1, before?.[0]);
      return c.json(toJson(toPage(rows as Array<{ id: string }>, query.limit, (r) => [r.id])), 200);
    },
  );
  for (const [segment, entity] of [['contacts', 'contact'], ['accounts', 'account']] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/v1/merges/${segment}/{id}/undo`,
        tags: ['Dedupe'],
        summary: `Undo a ${entity} merge exactly: the merged-away ${entity}, its rows and the survivor's values come back`,
        security,
        request: { params: NumericIdParam },
        responses: { 200: json('What was restored', UndoOutcomeSchema), 409: { description: 'Already undone, or a later merge must be undone first' }, ...ERROR_RESPONSES },
      }),
      async (c) => {
        const principal = c.get('principal');
        return c.json(toJson(await undoMerge(deps.db, principal.workspaceId, entity, c.req.valid('param').id, actorOfPrincipal(principal))), 200);
      },
    );
  }
}
