import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { toPublishedSchema } from './config-documents.ts';
import { AnyObject, ConfigBody, documentOf, json, NameParam } from './config-body.ts';
import { SegmentDefinitionSchema } from './segment-definition.ts';
import { applySegment, changeStaticSegmentMembers, deleteSegment, getSegment, listMembershipHistory, listSegmentMembers, listSegments, previewSegment } from './segments.service.ts';

const security = [{ adminKey: [] }];
const tags = ['Segments'];
const present = ({ workspace_id: _, ...row }: { workspace_id: string } & Record<string, unknown>) => row;

export const SEGMENT_JSON_SCHEMA = toPublishedSchema(SegmentDefinitionSchema, 'segment', 'Keel segment');

export function registerSegmentRoutes(app: ApiApp, deps: RouteDeps): void {
  registerSegmentReads(app, deps);
  registerSegmentWrites(app, deps);
  registerSegmentMembers(app, deps);
}

function registerSegmentReads(app: ApiApp, deps: RouteDeps): void {
  app.openapi(createRoute({ method: 'get', path: '/api/v1/segments', tags, security, summary: 'Segments with their member counts', responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'Segments'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson({ data: (await listSegments(deps.db, c.get('principal').workspaceId)).map(present) }), 200),
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/segments/schema', tags, security, summary: 'The JSON Schema of segment documents', responses: { 200: json(AnyObject, 'JSON Schema'), ...ERROR_RESPONSES } }), (c) =>
    c.json(SEGMENT_JSON_SCHEMA, 200),
  );
  app.openapi(createRoute({ method: 'get', path: '/api/v1/segments/{name}', tags, security, summary: 'One segment: definition and member count', request: { params: NameParam }, responses: { 200: json(AnyObject, 'The segment'), ...ERROR_RESPONSES } }), async (c) =>
    c.json(toJson(present(await getSegment(deps.db, c.get('principal').workspaceId, c.req.valid('param').name))), 200),
  );
  const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict();
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/segments/{name}/history', tags, security, summary: 'Entries and exits, newest first (what journeys trigger on)', request: { params: NameParam, query: HistoryQuery }, responses: { 200: json(z.object({ data: z.array(AnyObject) }), 'History'), ...ERROR_RESPONSES } }),
    async (c) => {
      const workspaceId = c.get('principal').workspaceId;
      const segment = await getSegment(deps.db, workspaceId, c.req.valid('param').name);
      return c.json(toJson({ data: await listMembershipHistory(deps.db, workspaceId, { segmentId: segment.id, limit: c.req.valid('query').limit }) }), 200);
    },
  );
}

function registerSegmentWrites(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/segments', tags, security, summary: 'Create or replace a segment from its document (schemas/segment.schema.json); members are computed at once', request: { body: { content: { 'application/json': { schema: ConfigBody } }, required: true } }, responses: { 200: json(AnyObject, 'Applied'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      const applied = await applySegment(deps.db, principal.workspaceId, documentOf(c.req.valid('json')), actorOfPrincipal(principal));
      return c.json(toJson({ segment: present(applied.segment), created: applied.created, entered: applied.change.entered, exited: applied.change.exited }), 200);
    },
  );
  const PreviewQuery = z.object({ sample: z.coerce.number().int().min(0).max(200).default(20) }).strict();
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/segments/preview', tags, security, summary: 'Count and a sample of the members a document would have, without saving it', request: { query: PreviewQuery, body: { content: { 'application/json': { schema: ConfigBody } }, required: true } }, responses: { 200: json(AnyObject, 'Preview'), ...ERROR_RESPONSES } }),
    async (c) => c.json(toJson(await previewSegment(deps.db, c.get('principal').workspaceId, documentOf(c.req.valid('json')), { sampleSize: c.req.valid('query').sample })), 200),
  );
  app.openapi(createRoute({ method: 'delete', path: '/api/v1/segments/{name}', tags, security, summary: 'Delete a segment no other segment reads', request: { params: NameParam }, responses: { 204: { description: 'Deleted' }, ...ERROR_RESPONSES } }), async (c) => {
    const principal = c.get('principal');
    await deleteSegment(deps.db, principal.workspaceId, c.req.valid('param').name, actorOfPrincipal(principal));
    return c.body(null, 204);
  });
}

function registerSegmentMembers(app: ApiApp, deps: RouteDeps): void {
  const MembersQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), after: z.string().uuid().optional() }).strict();
  app.openapi(
    createRoute({ method: 'get', path: '/api/v1/segments/{name}/members', tags, security, summary: 'Members by id, with the time each entered', request: { params: NameParam, query: MembersQuery }, responses: { 200: json(z.object({ data: z.array(AnyObject), next_after: z.string().nullable() }), 'Members'), ...ERROR_RESPONSES } }),
    async (c) => {
      const query = c.req.valid('query');
      const { members } = await listSegmentMembers(deps.db, c.get('principal').workspaceId, c.req.valid('param').name, { limit: query.limit, after: query.after });
      return c.json(toJson({ data: members, next_after: members.length === query.limit ? members[members.length - 1]!.id : null }), 200);
    },
  );
  const ChangeBody = z.object({ add: z.array(z.string().uuid()).max(10_000).optional(), remove: z.array(z.string().uuid()).max(10_000).optional() }).strict().openapi('StaticMembersChange');
  app.openapi(
    createRoute({ method: 'post', path: '/api/v1/segments/{name}/members', tags, security, summary: 'Hand-pick members in or out of a static segment', request: { params: NameParam, body: { content: { 'application/json': { schema: ChangeBody } }, required: true } }, responses: { 200: json(AnyObject, 'Entered and exited counts'), ...ERROR_RESPONSES } }),
    async (c) => {
      const principal = c.get('principal');
      return c.json(await changeStaticSegmentMembers(deps.db, principal.workspaceId, c.req.valid('param').name, c.req.valid('json'), actorOfPrincipal(principal)), 200);
    },
  );
}
