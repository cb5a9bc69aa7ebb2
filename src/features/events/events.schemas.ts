import { z } from '@hono/zod-openapi';
import { isoDate } from '../../platform/http/api-app.ts';

export const EventSchema = z
  .object({
    id: z.string(),
    message_id: z.string(),
    type: z.string(),
    name: z.string().nullable(),
    contact_id: z.string().uuid().nullable(),
    user_id: z.string().nullable(),
    anonymous_id: z.string().nullable(),
    group_id: z.string().nullable(),
    properties: z.record(z.string(), z.unknown()),
    traits: z.record(z.string(), z.unknown()),
    context: z.record(z.string(), z.unknown()),
    page_url: z.string().nullable(),
    referrer: z.string().nullable(),
    utm_source: z.string().nullable(),
    utm_medium: z.string().nullable(),
    utm_campaign: z.string().nullable(),
    utm_term: z.string().nullable(),
    utm_content: z.string().nullable(),
    timestamp: isoDate,
    original_timestamp: isoDate.nullable(),
    sent_at: isoDate.nullable(),
    received_at: isoDate,
  })
  .openapi('Event');

export const EventTypeParam = z.enum(['identify', 'track', 'page', 'screen', 'group', 'alias']);
