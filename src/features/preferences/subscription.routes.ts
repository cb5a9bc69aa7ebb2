import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { CONSENT_SOURCES } from '../consent/index.ts';
import { buildContactLinks, presentOutcome, type Mailer } from '../messaging/index.ts';
import { getTopicByKey, signToken } from '../consent/index.ts';
import { getContact } from '../contacts/index.ts';
import { subscribeContact } from './subscription.service.ts';

const security = [{ adminKey: [] }];

const SubscribeBody = z
  .object({
    contact_id: z.string().uuid(),
    topic: z.string().min(1).max(63),
    source: z.enum(CONSENT_SOURCES).default('form'),
    ip: z.string().max(100).nullable().optional(),
    user_agent: z.string().max(1000).nullable().optional(),
    consent_text: z.string().max(5000).nullable().optional().openapi({ description: 'The words the person agreed to' }),
  })
  .strict()
  .openapi('Subscribe');

export function registerSubscriptionRoutes(app: ApiApp, deps: RouteDeps & { mailer: Mailer }): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/subscriptions', tags: ['Consent'], security,
      summary: 'Subscribe a contact to a topic; double opt-in topics record "pending" and send a signed confirmation link',
      request: { body: { content: { 'application/json': { schema: SubscribeBody } }, required: true } },
      responses: { 201: { description: 'Recorded', content: { 'application/json': { schema: z.object({ status: z.string(), record_id: z.string(), confirmation: z.record(z.string(), z.unknown()).nullable() }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const result = await subscribeContact(deps.db, deps.mailer, principal.workspaceId, { contactId: b.contact_id, topicKey: b.topic, source: b.source, ip: b.ip, userAgent: b.user_agent, consentText: b.consent_text }, actorOfPrincipal(principal));
      return c.json(toJson({ status: result.record.status, record_id: result.record.id, confirmation: result.confirmation ? presentOutcome(result.confirmation) : null }), 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/contacts/{id}/links', tags: ['Consent'], security,
      summary: "A contact's signed links: preference centre and one-click unsubscribe (per topic)",
      request: { params: IdParam, query: z.object({ topic: z.string().min(1).max(63).optional() }).strict() },
      responses: { 200: { description: 'Links', content: { 'application/json': { schema: z.object({ preferences_url: z.string(), unsubscribe_url: z.string().nullable() }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const ws = c.get('principal').workspaceId;
      const contact = await getContact(deps.db, ws, c.req.valid('param').id);
      const key = c.req.valid('query').topic;
      const base = deps.mailer.publicUrl.replace(/\/+$/, '');
      if (key) {
        const links = await buildContactLinks(deps.db, base, ws, contact.id, (await getTopicByKey(deps.db, ws, key)).id);
        return c.json({ preferences_url: links.preferencesUrl, unsubscribe_url: links.unsubscribeUrl }, 200);
      }
      const token = await signToken(deps.db, { workspaceId: ws, contactId: contact.id, purpose: 'preferences' });
      return c.json({ preferences_url: `${base}/p/${token}`, unsubscribe_url: null }, 200);
    },
  );
}
