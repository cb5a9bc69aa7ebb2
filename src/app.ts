import { bodyLimit } from 'hono/body-limit';
import { sql } from 'kysely';
import { AppError } from './platform/errors.ts';
import type { Db } from './platform/db/connection.ts';
import { createApiApp } from './platform/http/api-app.ts';
import { createErrorHandler } from './platform/http/error-handler.ts';
import { renderHomePage } from './platform/http/home-page.ts';
import type { ApiApp, RouteDeps } from './platform/http/app-env.ts';
import type { Logger } from './platform/logger.ts';
import { createHealthSources } from './health-sources.ts';
import { createHealthSnapshotJob, registerDataHealthRoutes, type HealthSnapshotJob, type HealthSources } from './features/data-health/index.ts';
import { registerEnrichmentRoutes } from './features/enrichment/index.ts';
import { createAudienceWorker, registerScoringRoutes, registerSegmentRoutes, registerStageRoutes, type AudienceWorker } from './features/audiences/index.ts';
import { registerAuditRoutes } from './features/audit/index.ts';
import { registerConsentRoutes, registerPolicyRoutes, registerSuppressionRoutes } from './features/consent/index.ts';
import { createMailer, registerMessageRoutes, type Mailer, type MailerOptions } from './features/messaging/index.ts';
import { createRetryWorker, type RetryWorker } from './features/messaging/index.ts';
import { registerPublicPages, registerSubscriptionRoutes } from './features/preferences/index.ts';
import { createPrivacyWorker, registerPrivacyRoutes, type PrivacyWorker } from './features/privacy/index.ts';
import { registerDedupeRoutes } from './features/dedupe/index.ts';
import { registerEventRoutes } from './features/events/index.ts';
import { registerIdentityRoutes } from './features/identity/index.ts';
import { registerImportRoutes } from './features/imports/index.ts';
import { createIngestWorker, registerIngestAdminRoutes, registerIngestRoutes, type IngestWorker } from './features/ingest/index.ts';
import { registerNormalizationRoutes } from './features/normalization/index.ts';
import { registerOpportunityRoutes } from './features/opportunities/index.ts';
import { registerAttributionRoutes } from './features/attribution/index.ts';
import { registerCostRoutes } from './features/costs/index.ts';
import { registerReportRoutes } from './features/reports/index.ts';
import { registerAccountRoutes, registerContactRoutes } from './features/profiles/index.ts';
import { registerStatsRoutes } from './features/stats/index.ts';
import { registerTrackingPlanRoutes } from './features/tracking-plan/index.ts';
import { createJourneyRuntime, registerJourneyRoutes, type JourneyRuntime } from './features/journeys/index.ts';
import { createJobQueue } from './platform/jobs/job-queue.ts';
import { createJourneyEffects } from './journey-effects.ts';
import { registerTemplateRoutes } from './features/templates/index.ts';
import { registerTrackingRoutes } from './features/email-tracking/index.ts';
import { createWriteKeyAuthenticator, registerWorkspaceRoutes, requireAdminKey } from './features/workspaces/index.ts';

export type Role = 'api' | 'worker' | 'all';

const MAX_MANAGEMENT_BODY_BYTES = 1024 * 1024;

export interface AppContext {
  db: Db;
  logger: Logger;
  /** What the data-health report reads from normalization, dedupe and consent; default: the real features (createHealthSources). */
  healthSources?: HealthSources;
  /** Largest CSV upload to /api/v1/imports (streamed, so it may exceed memory); KEEL_IMPORT_MAX_BYTES. */
  importMaxBytes?: number | undefined;
  /** Links in emails and the SMTP relay; default: http://localhost:3000 and the outbox. */
  mail?: MailerOptions | undefined;
  /** Job queue and journey timings (KEEL_JOBS_POLL_SECONDS, KEEL_JOURNEY_LEASE_SECONDS, KEEL_JOURNEY_SCAN_MS). */
  jobs?: { pollingIntervalSeconds?: number; journeyLeaseSeconds?: number; journeyScanMs?: number } | undefined;
}

// CSV uploads stream to the importer under their own limit instead of the 1 MB one.
const isImportUpload = (method: string, path: string) => method === 'POST' && /^\/api\/v1\/imports\/[^/]+\/?$/.test(path);

export interface KeelApp {
  /** The HTTP application (also usable in tests through `app.request()`). */
  app: ApiApp;
  /** The ingest worker; `start()` it where this process should process events. */
  worker: IngestWorker;
  /** The daily data-health snapshot; `start()` it where the worker runs. */
  healthSnapshots: HealthSnapshotJob;
  /** Scores, stages and segment memberships of changed contacts; the scheduled full recompute. */
  audienceWorker: AudienceWorker;
  /** Retention and erasure retries; `start()` it where the ingest worker runs. */
  privacyWorker: PrivacyWorker;
  /** The send gate: the only way a message reaches a transport. */
  mailer: Mailer;
  /** Retries of soft-bounced email, failed webhooks and SMS; `start()` it where the workers run. */
  retryWorker: RetryWorker;
  /** Journeys: the engine over the job queue; `start()` its workers where the ingest worker runs. */
  journeys: JourneyRuntime;
}

/** The composition root: every route and worker is wired here and nowhere else. */
export function createApp({ db, logger, healthSources = createHealthSources(), importMaxBytes, mail, jobs }: AppContext): KeelApp {
  const app = createApiApp();
  const deps: RouteDeps = { db: db.kysely, logger };
  const mailer = createMailer(mail ?? { publicUrl: 'http://localhost:3000' });
  const retryWorker = createRetryWorker(db.kysely, mailer, logger.child({ component: 'retry-worker' }));
  const privacyWorker = createPrivacyWorker(db.kysely, logger.child({ component: 'privacy-worker' }));
  const audienceWorker = createAudienceWorker(db.kysely, logger.child({ component: 'audience-worker' }), { kind: db.kind });
  const worker = createIngestWorker(db.kysely, db.kind, logger.child({ component: 'ingest-worker' }), { onStored: () => audienceWorker.nudge() });
  const writeKeys = createWriteKeyAuthenticator(db.kysely);
  const jobQueue = createJobQueue(db, logger.child({ component: 'jobs' }), {
    pollingIntervalSeconds: jobs?.pollingIntervalSeconds,
    // A killed worker's step job is retried once it expires (after the lease): look that often.
    maintenanceIntervalSeconds: Math.max(1, Math.min(60, jobs?.journeyLeaseSeconds ?? 60)),
  });
  const journeys = createJourneyRuntime(db.kysely, jobQueue, createJourneyEffects(mailer), logger.child({ component: 'journeys' }), {
    leaseSeconds: jobs?.journeyLeaseSeconds,
    scanMs: jobs?.journeyScanMs,
    // PGlite is one connection: short step transactions let HTTP requests in between them.
    chunkBudgetMs: db.kind === 'pglite' ? 50 : 500,
  });
  const healthSnapshots = createHealthSnapshotJob(db.kysely, logger.child({ component: 'data-health' }), { sources: healthSources });

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
  // Public pages of contacts (unsubscribe, preferences, confirmation): the signed link is the key.
  registerPublicPages(app, { ...deps, mailer });
  // Email open pixel and click redirect: public too, the signed token is the key.
  registerTrackingRoutes(app, deps);

  app.use('/api/v1/*', requireAdminKey(db.kysely));
  // Management bodies are small (a key, an opportunity); refuse big ones before parsing.
  const managementBodyLimit = bodyLimit({
    maxSize: MAX_MANAGEMENT_BODY_BYTES,
    onError: () => {
      throw new AppError('too_large', `Request body too large: the limit is ${MAX_MANAGEMENT_BODY_BYTES} bytes for the management API`);
    },
  });
  app.use('/api/v1/*', (c, next) => (isImportUpload(c.req.method, c.req.path) ? next() : managementBodyLimit(c, next)));
  registerStatsRoutes(app, deps);
  registerContactRoutes(app, deps);
  registerAccountRoutes(app, deps);
  registerOpportunityRoutes(app, deps);
  registerEventRoutes(app, deps);
  registerIngestAdminRoutes(app, deps);
  registerIdentityRoutes(app, deps);
  registerTrackingPlanRoutes(app, deps);
  registerDataHealthRoutes(app, { ...deps, healthSources });
  registerDedupeRoutes(app, deps);
  registerWorkspaceRoutes(app, { ...deps, writeKeys });
  registerNormalizationRoutes(app, deps);
  registerEnrichmentRoutes(app, deps);
  registerImportRoutes(app, { ...deps, importMaxBytes, dbKind: db.kind });
  registerAttributionRoutes(app, deps);
  registerCostRoutes(app, deps);
  registerReportRoutes(app, deps);

  registerSegmentRoutes(app, deps);
  registerScoringRoutes(app, deps);
  registerStageRoutes(app, deps);

  registerConsentRoutes(app, deps);
  registerSuppressionRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerMessageRoutes(app, { ...deps, mailer });
  registerTemplateRoutes(app, deps);
  registerSubscriptionRoutes(app, { ...deps, mailer });
  registerPrivacyRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerJourneyRoutes(app, { ...deps, journeys });

  return { app, worker, healthSnapshots, audienceWorker, privacyWorker, mailer, retryWorker, journeys };
}
