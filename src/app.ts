import { bodyLimit } from 'hono/body-limit';
import { sql } from 'kysely';
import { AppError } from './platform/errors.ts';
import type { Db } from './platform/db/connection.ts';
import { createApiApp } from './platform/http/api-app.ts';
import { createErrorHandler } from './platform/http/error-handler.ts';
import { renderHomePage } from './platform/http/home-page.ts';
import type { ApiApp, RouteDeps } from './platform/http/app-env.ts';
import type { Logger } from './platform/logger.ts';
import { registerDedupeRoutes } from './features/dedupe/index.ts';
import { registerEventRoutes } from './features/events/index.ts';
import { registerIdentityRoutes } from './features/identity/index.ts';
import { createIngestWorker, registerIngestAdminRoutes, registerIngestRoutes, type IngestWorker } from './features/ingest/index.ts';
import { registerOpportunityRoutes } from './features/opportunities/index.ts';
import { registerAccountRoutes, registerContactRoutes } from './features/profiles/index.ts';
import { registerStatsRoutes } from './features/stats/index.ts';
import { createWriteKeyAuthenticator, registerWorkspaceRoutes, requireAdminKey } from './features/workspaces/index.ts';

export type Role = 'api' | 'worker' | 'all';

const MAX_MANAGEMENT_BODY_BYTES = 1024 * 1024;

export interface AppContext {
  db: Db;
  logger: Logger;
}

export interface KeelApp {
  /** The HTTP application (also usable in tests through `app.request()`). */
  app: ApiApp;
  /** The ingest worker; `start()` it where this process should process events. */
  worker: IngestWorker;
}

/** The composition root: every route and worker is wired here and nowhere else. */
export function createApp({ db, logger }: AppContext): KeelApp {
  const app = createApiApp();
  const deps: RouteDeps = { db: db.kysely, logger };
  const worker = createIngestWorker(db.kysely, db.kind, logger.child({ component: 'ingest-worker' }));
  const writeKeys = createWriteKeyAuthenticator(db.kysely);

  app.onError(createErrorHandler(logger));
  app.notFound((c) => c.json({ error: { code: 'not_found', message: `No route for ${c.req.method} ${c.req.path}` } }, 404));

  app.get('/', (c) => c.html(renderHomePage(db.kind === 'postgres' ? 'PostgreSQL' : 'embedded PGlite')));

  app.get('/health', async (c) => {
    try {
      await sql`select 1`.execute(db.kysely);
      return c.json({ status: 'ok', database: db.kind });
    } catch (error) {
      logger.warn({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'unavailable', database: db.kind }, 503);
    }
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'adminKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An admin key (ka_...); viewer-role keys may only read',
  });
  app.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Keel API',
      version: '1',
      description: 'Segment-compatible ingest (/v1) and the management API (/api/v1) of Keel.',
    },
  });

  registerIngestRoutes(app, { ...deps, writeKeys, onAccepted: () => worker.nudge() });

  app.use('/api/v1/*', requireAdminKey(db.kysely));
  // Management bodies are small (a key, an opportunity); refuse big ones before parsing.
  app.use(
    '/api/v1/*',
    bodyLimit({
      maxSize: MAX_MANAGEMENT_BODY_BYTES,
      onError: () => {
        throw new AppError('too_large', `Request body too large: the limit is ${MAX_MANAGEMENT_BODY_BYTES} bytes for the management API`);
      },
    }),
  );
  registerStatsRoutes(app, deps);
  registerContactRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerOpportunityRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerIngestAdminRoutes(app, deps);
  registerIdentityRoutes(app, deps);
  registerDedupeRoutes(app, deps);
  registerWorkspaceRoutes(app, { ...deps, writeKeys });

  return { app, worker };
}
