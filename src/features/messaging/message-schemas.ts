import { z } from '@hono/zod-openapi';
import { isoDate, toJson } from '../../platform/http/api-app.ts';
import { CursorParam, decodeCursor, encodeCursor, LimitParam } from '../../platform/http/pagination.ts';
import type { listMessages, MessageFilter } from './messages.service.ts';
import type { SendOutcome } from './send-request.ts';

// Schemas and presenters shared by messages.routes.ts and channels.routes.ts.
const STATUSES = ['sent', 'retrying', 'dead', 'bounced'] as const;
const TRANSPORTS = ['outbox', 'smtp', 'webhook', 'sms'] as const;

export const MessageSchema = z
  .object({
    id: z.string().uuid(),
    contact_id: z.string().nullable(),
    topic_id: z.string().nullable(),
    channel: z.enum(['email', 'sms', 'webhook']),
    transport: z.enum(TRANSPORTS),
    kind: z.enum(['marketing', 'transactional']),
    to_address: z.string().openapi({ description: 'email address, E.164 phone number or webhook URL' }),
    from_address: z.string(),
    subject: z.string().openapi({ description: 'empty for SMS and webhooks' }),
    text_body: z.string().openapi({ description: "the text; a webhook's JSON body" }),
    html_body: z.string().nullable(),
    headers: z.record(z.string(), z.string()),
    provider_message_id: z.string().nullable(),
    sent_at: isoDate,
    status: z.enum(STATUSES).openapi({ description: 'sent; retrying (next_attempt_at); dead (the dead-letter list); bounced (hard bounce)' }),
    attempts: z.number().int(),
    next_attempt_at: isoDate.nullable(),
    last_error: z.string().nullable(),
    delivered_at: isoDate.nullable(),
    journey_id: z.string().nullable(),
    journey_version: z.number().int().nullable(),
    step_id: z.string().nullable(),
    variant: z.string().nullable(),
    journey_priority: z.number().int().nullable(),
  })
  .openapi('Message');

export const OutcomeSchema = z
  .object({
    status: z.enum(['sent', 'queued', 'blocked', 'deferred']),
    message_id: z.string().optional(),
    transport: z.string().optional(),
    reason: z.string().optional(),
    detail: z.string().optional(),
    not_before: isoDate.optional(),
    next_attempt_at: isoDate.optional(),
  })
  .openapi('SendOutcome');

export const MessageQuery = z
  .object({
    transport: z.enum(TRANSPORTS).optional(),
    channel: z.enum(['email', 'sms', 'webhook']).optional(),
    status: z.enum(STATUSES).optional(),
    journey_id: z.string().max(200).optional(),
    step_id: z.string().max(200).optional(),
    contact_id: z.string().uuid().optional(),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

export function pageQuery(query: z.infer<typeof MessageQuery>): MessageFilter {
  const before = decodeCursor(query.cursor, ['timestamp', 'uuid']);
  return {
    transport: query.transport, channel: query.channel, status: query.status, journeyId: query.journey_id, stepId: query.step_id, contactId: query.contact_id,
    limit: query.limit, before: before ? { sentAt: before[0]!, id: before[1]! } : undefined,
  };
}

export const presentPage = (page: Awaited<ReturnType<typeof listMessages>>) => toJson({ data: page.items, next_cursor: page.next ? encodeCursor([page.next.sentAt, page.next.id]) : null });

export function presentOutcome(o: SendOutcome) {
  if (o.status === 'sent') return { status: o.status, message_id: o.messageId, transport: o.transport };
  if (o.status === 'queued') return { status: o.status, message_id: o.messageId, transport: o.transport, detail: o.detail, next_attempt_at: o.nextAttemptAt };
  if (o.status === 'blocked') return { status: o.status, reason: o.reason, detail: o.detail, ...(o.messageId ? { message_id: o.messageId } : {}) };
  return { status: o.status, reason: o.reason, detail: o.detail, not_before: o.notBefore };
}
