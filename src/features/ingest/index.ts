export { acceptEvents, countPendingEvents, countRejectedEvents, listRejectedEvents, lockWorkspaceProcessing, type AcceptResult } from './ingest.service.ts';
export { INGEST_MAINTENANCE, processEventsNow, processInbox, type ProcessOutcome } from './ingest-processor.ts';
export { createIngestWorker, type IngestWorker } from './ingest-worker.ts';
export { registerIngestRoutes } from './ingest.routes.ts';
export { MAX_BATCH_BYTES, MAX_EVENT_BYTES } from './segment-event.ts';
export { registerIngestAdminRoutes } from './ingest-admin.routes.ts';
export { toEventRow } from './event-row.ts';
export { validateEvent, type AcceptedEvent } from './segment-event.ts';
export { eraseIngestTraces, listRejectedMentioning } from './ingest-privacy.ts';
