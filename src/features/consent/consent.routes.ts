import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { CONSENT_SOURCES, getConsentHistory, getConsentState, LAWFUL_BASES, recordConsent } from './consent.service.ts';
import { CHANNELS, createTopic, listTopics, updateTopic } from './topics.service.ts';

const security = [{ adminKey: [] }];

export const TopicSchema = z
  .object({
    id: z.string().uuid(),
    key: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    channels: z.array(z.string()),
    regime: z.enum(['opt_in', 'opt_out']),
    double_opt_in: z.boolean(),
    created_at: isoDate,
    updated_at: isoDate,
  })
  .openapi('Topic');

const TopicBody = z
  .object({
    key: z.string().min(1).max(63).openapi({ example: 'newsletter' }),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    channels: z.array(z.enum(CHANNELS as [string, ...string[]])).min(1).optional().openapi({ description: 'Default ["email"]' }),
    regime: z.enum(['opt_in', 'opt_out']).openapi({ description: 'opt_in (GDPR/CASL) or opt_out (CAN-SPAM)' }),
    double_opt_in: z.boolean().optional(),
  })
  .strict()
  .openapi('CreateTopic');

const TopicKeyParam = z.object({ key: z.string().min(1).max(63).openapi({ param: { name: 'key', in: 'path' } }) });

const ConsentRecordSchema = z
  .object({
    id: z.string(),
    contact_id: z.string().uuid(),
    topic_id: z.string().uuid(),
    status: z.enum(['opted_in', 'opted_out', 'pending']),
    lawful_basis: z.string(),
    source: z.string(),
    recorded_at: isoDate,
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    consent_text: z.string().nullable(),
  })
  .openapi('ConsentRecord');

const ConsentBody = z
  .object({
    contact_id: z.string().uuid(),
    topic: z.string().min(1).max(63),
    status: z.enum(['opted_in', 'opted_out', 'pending']),
    lawful_basis: z.enum(LAWFUL_BASES).optional(),
    source: z.enum(CONSENT_SOURCES).default('api'),
    ip: z.string().max(100).nullable().optional(),
    user_agent: z.string().max(1000).nullable().optional(),
    consent_text: z.string().max(5000).nullable().optional(),
  })
  .strict()
  .openapi('RecordConsent');

export function registerConsentRoutes(app: ApiApp, deps: RouteDeps): void {
  registerTopicRoutes(app, deps);
  registerUpdateTopic(app, deps);
  registerRecordConsent(app, deps);
  registerContactConsent(app, deps);
}

function registerTopicRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/topics', tags: ['Consent'], summary: 'Subscription topics of the workspace', security,
      responses: { 200: { description: 'Topics', content: { 'application/json': { schema: z.object({ data: z.array(TopicSchema) }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson({ data: await listTopics(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/topics', tags: ['Consent'], summary: 'Create a subscription topic', security,
      request: { body: { content: { 'application/json': { schema: TopicBody } }, required: true } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: TopicSchema } } }, 409: { description: 'Key taken' }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const topic = await createTopic(deps.db, principal.workspaceId, { key: b.key, name: b.name, description: b.description, channels: b.channels, regime: b.regime, doubleOptIn: b.double_opt_in }, actorOfPrincipal(principal));
      return c.json(toJson(topic), 201);
    },
  );
}

function registerUpdateTopic(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'patch', path: '/api/v1/topics/{key}', tags: ['Consent'], summary: 'Change a topic (name, channels, regime, double opt-in)', security,
      request: { params: TopicKeyParam, body: { content: { 'application/json': { schema: TopicBody.omit({ key: true }).partial().strict() } }, required: true } },
      responses: { 200: { description: 'Updated', content: { 'application/json': { schema: TopicSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const topic = await updateTopic(deps.db, principal.workspaceId, c.req.valid('param').key, { name: b.name, description: b.description, channels: b.channels, regime: b.regime, doubleOptIn: b.double_opt_in }, actorOfPrincipal(principal));
      return c.json(toJson(topic), 200);
    },
  );
}

function registerRecordConsent(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/consent', tags: ['Consent'], summary: 'Append a consent record (the history is never rewritten)', security,
      description: 'For a double opt-in flow with a confirmation email use POST /api/v1/subscriptions.',
      request: { body: { content: { 'application/json': { schema: ConsentBody } }, required: true } },
      responses: { 201: { description: 'Recorded', content: { 'application/json': { schema: ConsentRecordSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const [record] = await recordConsent(
        deps.db,
        principal.workspaceId,
        [{ contactId: b.contact_id, topicKey: b.topic, status: b.status, lawfulBasis: b.lawful_basis, source: b.source, ip: b.ip, userAgent: b.user_agent, consentText: b.consent_text }],
        actorOfPrincipal(principal),
      );
      return c.json(toJson(record), 201);
    },
  );
}

function registerContactConsent(app: ApiApp, deps: RouteDeps): void {
  const State = z.object({ topic: z.string(), regime: z.string(), status: z.string().nullable(), subscribed: z.boolean(), since: isoDate.nullable() });
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/contacts/{id}/consent', tags: ['Consent'], summary: "A contact's current consent per topic and the full history", security,
      request: { params: IdParam },
      responses: { 200: { description: 'State and history', content: { 'application/json': { schema: z.object({ state: z.array(State), history: z.array(ConsentRecordSchema) }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const ws = c.get('principal').workspaceId;
      const id = c.req.valid('param').id;
      const history = await getConsentHistory(deps.db, ws, id);
      const state = history.length === 0 ? [] : await getConsentState(deps.db, ws, id);
      return c.json(
        toJson({
          state: state.map((s) => ({ topic: s.topic.key, regime: s.topic.regime, status: s.current?.status ?? null, subscribed: s.subscribed, since: s.current?.recorded_at ?? null })),
          history,
        }),
        200,
      );
    },
  );
}
