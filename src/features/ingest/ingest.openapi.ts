import { z } from '@hono/zod-openapi';
import type { ApiApp } from '../../platform/http/app-env.ts';
import { EVENT_TYPES, MAX_BATCH_BYTES, MAX_EVENT_BYTES } from './segment-event.ts';

const Event = z
  .object({
    type: z.enum(EVENT_TYPES as [string, ...string[]]).optional(),
    messageId: z.string().optional(),
    userId: z.string().optional(),
    anonymousId: z.string().optional(),
    event: z.string().optional().openapi({ description: 'track: the event name' }),
    name: z.string().optional().openapi({ description: 'page/screen: the page name' }),
    groupId: z.string().optional(),
    previousId: z.string().optional(),
    properties: z.record(z.string(), z.unknown()).optional(),
    traits: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    timestamp: z.string().optional(),
    sentAt: z.string().optional(),
  })
  .openapi('SegmentEvent');

const Accepted = z
  .object({
    success: z.literal(true),
    accepted: z.number().int(),
    rejected: z.array(z.object({ index: z.number().int(), reason: z.string(), field: z.string().nullable() })),
  })
  .openapi('IngestResult');

const errors = {
  400: { description: 'Malformed JSON, or (single-event routes) an invalid event' },
  401: { description: 'Missing, unknown or revoked write key' },
  413: { description: 'Body (or decompressed body) over the limit' },
  415: { description: 'Unsupported Content-Encoding' },
};

/** Documents the Segment routes, which parse their own bodies (size limits before parsing). */
export function registerIngestDocs(app: ApiApp): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'writeKey', {
    type: 'http',
    scheme: 'basic',
    description: 'The write key as the user name, empty password (as Segment clients send it)',
  });
  for (const type of EVENT_TYPES) {
    app.openAPIRegistry.registerPath({
      method: 'post',
      path: `/v1/${type}`,
      tags: ['Ingest (Segment HTTP API)'],
      summary: `Send one ${type} event (max ${MAX_EVENT_BYTES} bytes)`,
      security: [{ writeKey: [] }],
      request: { body: { content: { 'application/json': { schema: Event } } } },
      responses: { 200: { description: 'Stored durably', content: { 'application/json': { schema: Accepted } } }, ...errors },
    });
  }
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/batch',
    tags: ['Ingest (Segment HTTP API)'],
    summary: `Send a batch of events (max ${MAX_BATCH_BYTES} bytes; gzip accepted). Invalid events are rejected one by one.`,
    security: [{ writeKey: [] }],
    request: {
      body: { content: { 'application/json': { schema: z.object({ batch: z.array(Event), sentAt: z.string().optional(), context: z.record(z.string(), z.unknown()).optional() }) } } },
    },
    responses: { 200: { description: 'Valid events stored durably; invalid ones listed', content: { 'application/json': { schema: Accepted } } }, ...errors },
  });
}
