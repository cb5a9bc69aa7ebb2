import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, IdParam, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, encodeCursor, LimitParam, PageSchema } from '../../platform/http/pagination.ts';
import { getMessage, listMessages } from './messages.service.ts';
import type { Mailer } from './send-gate.ts';

const security = [{ adminKey: [] }];

const MessageSchema = z
  .object({
    id: z.string().uuid(),
    contact_id: z.string().nullable(),
    topic_id: z.string().nullable(),
    channel: z.string(),
    transport: z.enum(['outbox', 'smtp']),
    kind: z.enum(['marketing', 'transactional']),
    to_address: z.string(),
    from_address: z.string(),
    subject: z.string(),
    text_body: z.string(),
    html_body: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    provider_message_id: z.string().nullable(),
    sent_at: isoDate,
  })
  .openapi('Message');

const SendBody = z
  .object({
    contact_id: z.string().uuid(),
    topic: z.string().min(1).max(63),
    kind: z.enum(['marketing', 'transactional']),
    priority: z.enum(['normal', 'high']).optional(),
    subject: z.string().min(1).max(998),
    text: z.string().max(1_000_000),
    html: z.string().max(1_000_000).optional(),
  })
  .strict()
  .openapi('SendMessage');

const OutcomeSchema = z
  .object({ status: z.enum(['sent', 'blocked', 'deferred']), message_id: z.string().optional(), transport: z.string().optional(), reason: z.string().optional(), detail: z.string().optional(), not_before: isoDate.optional() })
  .openapi('SendOutcome');

export function registerMessageRoutes(app: ApiApp, deps: RouteDeps & { mailer: Mailer }): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/messages', tags: ['Messages'], summary: 'Messages handed to transports (the outbox by default), newest first', security,
      request: { query: z.object({ transport: z.enum(['outbox', 'smtp']).optional(), contact_id: z.string().uuid().optional(), limit: LimitParam, cursor: CursorParam }).strict() },
      responses: { 200: { description: 'A page', content: { 'application/json': { schema: PageSchema(MessageSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['timestamp', 'uuid']);
      const page = await listMessages(deps.db, c.get('principal').workspaceId, { transport: query.transport, contactId: query.contact_id, limit: query.limit, before: before ? { sentAt: before[0]!, id: before[1]! } : undefined });
      return c.json(toJson({ data: page.items, next_cursor: page.next ? encodeCursor([page.next.sentAt, page.next.id]) : null }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/messages/{id}', tags: ['Messages'], summary: 'One message with its headers and bodies', security,
      request: { params: IdParam },
      responses: { 200: { description: 'The message', content: { 'application/json': { schema: MessageSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(await getMessage(deps.db, c.get('principal').workspaceId, c.req.valid('param').id)), 200),
  );
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/messages', tags: ['Messages'], summary: 'Send one message through the gate (consent, suppression, caps, quiet hours)', security,
      request: { body: { content: { 'application/json': { schema: SendBody } }, required: true } },
      responses: { 200: { description: 'What the gate decided: sent, blocked (with the reason) or deferred', content: { 'application/json': { schema: OutcomeSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const outcome = await deps.mailer.send(deps.db, {
        workspaceId: c.get('principal').workspaceId, contactId: b.contact_id, topicKey: b.topic, kind: b.kind, priority: b.priority,
        content: { subject: b.subject, text: b.text, html: b.html },
      });
      return c.json(toJson(presentOutcome(outcome)), 200);
    },
  );
}

export function presentOutcome(o: Awaited<ReturnType<Mailer['send']>>) {
  if (o.status === 'sent') return { status: o.status, message_id: o.messageId, transport: o.transport };
  if (o.status === 'blocked') return { status: o.status, reason: o.reason, detail: o.detail };
  return { status: o.status, reason: o.reason, detail: o.detail, not_before: o.notBefore };
}
