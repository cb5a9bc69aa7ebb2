import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { ApiApp, AppEnv, RouteDeps } from '../../platform/http/app-env.ts';
import { readBody, parseJson } from '../../platform/http/body.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventType } from '../../platform/db/schema.ts';
import { writeKeyFrom, type WriteKeyAuthenticator } from '../workspaces/index.ts';
import { acceptEvents } from './ingest.service.ts';
import { EVENT_TYPES, MAX_BATCH_BYTES, MAX_EVENT_BYTES } from './segment-event.ts';
import { registerIngestDocs } from './ingest.openapi.ts';

export interface IngestRouteDeps extends RouteDeps {
  writeKeys: WriteKeyAuthenticator;
  /** Called after events are durable, to wake the ingest worker. */
  onAccepted: () => void;
}

/** The Segment HTTP Tracking API: /v1/identify|track|page|screen|group|alias|batch. */
export function registerIngestRoutes(app: ApiApp, deps: IngestRouteDeps): void {
  // Browser SDKs (analytics.js pointed at Keel) post cross-origin: answer the preflight and
  // allow any origin. Write keys are public by design (they sit in every web page).
  app.use(
    '/v1/*',
    cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type', 'Authorization', 'Content-Encoding'], maxAge: 86_400 }),
  );
  for (const type of EVENT_TYPES) app.post(`/v1/${type}`, (c) => handle(c, deps, type));
  // Segment documents /v1/import as another name for /v1/batch.
  for (const path of ['/v1/batch', '/v1/import']) app.post(path, (c) => handle(c, deps, undefined));
  registerIngestDocs(app);
}

async function handle(c: Context<AppEnv>, deps: IngestRouteDeps, type: EventType | undefined): Promise<Response> {
  const receivedAt = new Date();
  const authorization = c.req.header('authorization');
  // Check a header key before reading the body, so that strangers cannot make us buffer 500 KB.
  let principal = authorization ? await authenticate(deps, writeKeyFrom(authorization, undefined)) : undefined;
  const body = parseJson(await readBody(c.req.raw, type ? MAX_EVENT_BYTES : MAX_BATCH_BYTES));
  principal ??= await authenticate(deps, writeKeyFrom(undefined, body));
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppError('invalid', `Body must be a JSON object${type ? ' (one event)' : ' with a "batch" array'}`);
  }
  const record = body as Record<string, unknown>;
  let events: unknown[];
  if (type) {
    events = [record];
  } else {
    if (!Array.isArray(record.batch)) throw new AppError('invalid', `"batch" must be an array of events; got ${record.batch === undefined ? 'nothing' : typeof record.batch}`);
    events = record.batch;
  }
  const result = await acceptEvents(deps.db, principal.workspaceId, {
    events,
    type,
    receivedAt,
    batchSentAt: type ? undefined : record.sentAt,
    batchContext: type ? undefined : record.context,
  });
  if (result.accepted > 0) deps.onAccepted();
  if (type && result.rejected.length > 0) {
    const [first] = result.rejected;
    throw new AppError('invalid', `Event rejected: ${first!.reason}`, { field: first!.field });
  }
  return c.json({ success: true, accepted: result.accepted, rejected: result.rejected });
}

async function authenticate(deps: IngestRouteDeps, key: string | undefined) {
  if (!key) throw new AppError('unauthorized', 'Missing write key: send it as the Basic-auth user name, or as "writeKey" in the body');
  return deps.writeKeys.authenticate(key);
}
