import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { PageSchema } from '../../platform/http/pagination.ts';
import { registerChannelRoutes } from './channels.routes.ts';
import { MessageQuery, MessageSchema, OutcomeSchema, pageQuery, presentOutcome, presentPage } from './message-schemas.ts';
import { getMessage, listMessages } from './messages.service.ts';
import type { Mailer, SendRequest } from './send-gate.ts';

export { presentOutcome } from './message-schemas.ts';

const security = [{ adminKey: [] }];

const JourneyBody = z
  .object({
    id: z.string().min(1).max(200),
    version: z.number().int().min(1),
    step_id: z.string().min(1).max(200),
    variant: z.string().max(200).optional(),
    priority: z.number().int().min(0).max(100).optional().openapi({ description: 'default 50; below the workspace cap_reserve_priority a message may not take the last free slot of a frequency cap' }),
    max_per_hour: z.number().int().min(1).optional().openapi({ description: 'throttle: sends of this journey per rolling hour' }),
  })
  .strict();

const SendBody = z
  .object({
    contact_id: z.string().uuid(),
    topic: z.string().min(1).max(63),
    kind: z.enum(['marketing', 'transactional']),
    channel: z.enum(['email', 'sms', 'webhook']).optional().openapi({ description: 'default email' }),
    priority: z.enum(['normal', 'high']).optional(),
    subject: z.string().min(1).max(998).optional().openapi({ description: 'email' }),
    text: z.string().max(1_000_000).optional().openapi({ description: 'email and SMS' }),
    html: z.string().max(1_000_000).optional().openapi({ description: 'email' }),
    url: z.string().max(2000).optional().openapi({ description: 'webhook' }),
    payload: z.unknown().optional().openapi({ description: 'webhook: the JSON body' }),
    journey: JourneyBody.optional(),
    message_id: z.string().uuid().optional(),
  })
  .strict()
  .openapi('SendMessage');

export function registerMessageRoutes(app: ApiApp, deps: RouteDeps & { mailer: Mailer }): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/messages', tags: ['Messages'], summary: 'Messages handed to transports (the outbox by default), newest first; filter by channel, status, journey', security,
      request: { query: MessageQuery },
      responses: { 200: { description: 'A page', content: { 'application/json': { schema: PageSchema(MessageSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(presentPage(await listMessages(deps.db, c.get('principal').workspaceId, pageQuery(c.req.valid('query')))), 200),
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/messages/{id}', tags: ['Messages'], summary: 'One message with its headers, bodies and delivery state', security,
      request: { params: IdParam },
      responses: { 200: { description: 'The message', content: { 'application/json': { schema: MessageSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(await getMessage(deps.db, c.get('principal').workspaceId, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/messages', tags: ['Messages'], summary: 'Send one message through the gate (channel, consent, suppression, caps, throttling, quiet hours)', security,
      request: { body: { content: { 'application/json': { schema: SendBody } }, required: true } },
      responses: { 200: { description: 'What the gate decided: sent, queued (a retry is scheduled), blocked (with the reason) or deferred (with not_before)', content: { 'application/json': { schema: OutcomeSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const channel = b.channel ?? 'email';
      const content: SendRequest['content'] = channel === 'webhook' ? { url: b.url as string, payload: b.payload } : channel === 'sms' ? { text: b.text as string } : { subject: b.subject as string, text: b.text as string, html: b.html };
      const j = b.journey;
      const outcome = await deps.mailer.send(deps.db, {
        workspaceId: c.get('principal').workspaceId, contactId: b.contact_id, topicKey: b.topic, kind: b.kind, priority: b.priority, channel, content, messageId: b.message_id,
        journey: j ? { id: j.id, version: j.version, stepId: j.step_id, variant: j.variant, priority: j.priority, maxPerHour: j.max_per_hour } : undefined,
      });
      return c.json(toJson(presentOutcome(outcome)), 200);
    },
  );
  registerChannelRoutes(app, deps);
}

