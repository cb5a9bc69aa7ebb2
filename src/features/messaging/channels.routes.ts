import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { PageSchema } from '../../platform/http/pagination.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { recordBounce } from './bounces.service.ts';
import { escapeHtml } from './email-compose.ts';
import { MessageQuery, MessageSchema, OutcomeSchema, pageQuery, presentOutcome, presentPage } from './message-schemas.ts';
import { listDeadLetters } from './messages.service.ts';
import type { Mailer } from './send-gate.ts';
import { authenticateInbound, handleInboundSms } from './sms-inbound.service.ts';

const security = [{ adminKey: [] }];

const BounceBody = z
  .object({
    email: z.string().max(320),
    type: z.enum(['hard', 'soft', 'complaint']),
    message_id: z.string().uuid().optional().openapi({ description: "Keel's message id (the X-Keel-Message-Id header, or the Message-ID's local part); else the newest email to the address" }),
    event_id: z.string().max(200).optional().openapi({ description: "the ESP's event id: a report sent twice records one event" }),
    diagnostic: z.string().max(2000).optional().openapi({ description: 'e.g. "550 5.1.1 user unknown"' }),
    occurred_at: z.string().datetime({ offset: true }).optional(),
  })
  .strict()
  .openapi('BounceReport');

const BounceResultSchema = z
  .object({ email: z.string(), kind: z.enum(['hard', 'soft', 'complaint']), suppressed: z.boolean(), contact_ids: z.array(z.string()), message_id: z.string().nullable(), events: z.number().int() })
  .openapi('BounceResult');

const InboundParams = z.object({
  workspace: z.string().openapi({ param: { name: 'workspace', in: 'path' }, description: 'workspace id' }),
  secret: z.string().max(500).openapi({ param: { name: 'secret', in: 'path' }, description: "the workspace's sms_inbound_secret" }),
});

// Providers post their own extra fields (MessageSid, To, AccountSid, ...): only From and Body matter.
const InboundBody = z.object({ From: z.string().max(40), Body: z.string().max(2000) }).passthrough();

/** Dead letters, bounce reports (ESP webhooks) and the public inbound SMS route. */
export function registerChannelRoutes(app: ApiApp, deps: RouteDeps & { mailer: Mailer }): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/dead-letters', tags: ['Messages'], summary: 'Messages whose retries ran out or that were refused for good (status dead), newest first', security,
      request: { query: MessageQuery.omit({ status: true }) },
      responses: { 200: { description: 'A page', content: { 'application/json': { schema: PageSchema(MessageSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(presentPage(await listDeadLetters(deps.db, c.get('principal').workspaceId, pageQuery(c.req.valid('query')))), 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/dead-letters/{id}/retry', tags: ['Messages'], summary: 'Send a dead letter again now, with a fresh set of retries', security,
      // Any id: one that is not a message of this workspace is a 404, like another workspace's.
      request: { params: z.object({ id: z.string().max(100).openapi({ param: { name: 'id', in: 'path' }, description: 'message id' }) }) },
      responses: { 200: { description: 'The outcome of the new attempt', content: { 'application/json': { schema: OutcomeSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(presentOutcome(await deps.mailer.retryMessage(deps.db, c.get('principal').workspaceId, c.req.valid('param').id))), 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/bounces', tags: ['Messages'], summary: 'Record a bounce or complaint reported by an ESP: hard bounces and complaints suppress the address for email; every report is an event on the contact', security,
      request: { body: { content: { 'application/json': { schema: BounceBody } }, required: true } },
      responses: { 200: { description: 'What was recorded', content: { 'application/json': { schema: BounceResultSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const r = await recordBounce(deps.db, principal.workspaceId, { email: b.email, kind: b.type, messageId: b.message_id, eventId: b.event_id, diagnostic: b.diagnostic, source: 'esp_webhook', at: b.occurred_at ? new Date(b.occurred_at) : undefined }, actorOfPrincipal(principal));
      return c.json({ email: r.email, kind: r.kind, suppressed: r.suppressed, contact_ids: r.contactIds, message_id: r.messageId, events: r.events }, 200);
    },
  );
  app.use(
    '/sms/inbound/*',
    bodyLimit({ maxSize: 16 * 1024, onError: () => { throw new AppError('too_large', 'Inbound SMS body too large: the limit is 16 KB'); } }),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/sms/inbound/{workspace}/{secret}', tags: ['Messages'], security: [],
      summary: "Incoming SMS from the provider (form-encoded From, Body): STOP/START/HELP keywords. The secret in the path is the key; answers TwiML with the reply",
      request: { params: InboundParams, body: { content: { 'application/x-www-form-urlencoded': { schema: InboundBody } }, required: true } },
      responses: { 200: { description: 'TwiML <Response>, with a <Message> when the keyword has an answer', content: { 'text/xml': { schema: z.string() } } }, 401: ERROR_RESPONSES[401], 400: ERROR_RESPONSES[400] },
    }),
    async (c) => {
      const { workspace, secret } = c.req.valid('param');
      await authenticateInbound(deps.db, workspace, secret);
      const body = c.req.valid('form');
      const result = await handleInboundSms(deps.db, workspace, { from: body.From, body: body.Body });
      deps.logger.info({ workspace, keyword: result.keyword, contacts: result.contactIds.length }, 'inbound SMS');
      const xml = `<?xml version="1.0" encoding="UTF-8"?><Response>${result.reply ? `<Message>${escapeHtml(result.reply)}</Message>` : ''}</Response>`;
      return c.body(xml, 200, { 'content-type': 'text/xml; charset=utf-8' });
    },
  );
}
