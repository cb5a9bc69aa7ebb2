import { createApp, type KeelApp } from '../app.ts';
import type { Db } from '../platform/db/connection.ts';
import { openTestDatabase } from '../platform/db/test-database.ts';
import { silentLogger } from '../platform/logger.ts';
import { drainAudienceQueue } from '../features/audiences/index.ts';
import { processInbox } from '../features/ingest/index.ts';
import { createWorkspace, type CreatedWorkspace } from '../features/workspaces/index.ts';

export interface TestApp extends KeelApp {
  db: Db;
  /** Processes the ingest inbox and the audience queue (the workers' jobs), synchronously for tests. */
  drain(): Promise<void>;
  workspace(name?: string): Promise<CreatedWorkspace>;
  close(): Promise<void>;
}

export async function createTestApp(): Promise<TestApp> {
  const db = await openTestDatabase();
  const keel = createApp({ db, logger: silentLogger() });
  return {
    ...keel,
    db,
    async drain() {
      await processInbox(db.kysely);
      await drainAudienceQueue(db.kysely);
    },
    workspace: (name = 'test') => createWorkspace(db.kysely, name),
    close: async () => {
      await keel.journeys.stop();
      await db.close();
    },
  };
}

export const basicAuth = (writeKey: string) => `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;
export const bearer = (adminKey: string) => `Bearer ${adminKey}`;

/** POSTs JSON (or raw bytes) to the app with a write key. */
export function postIngest(app: KeelApp['app'], path: string, body: unknown, headers: Record<string, string> = {}) {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  return app.request(path, { method: 'POST', body: payload as RequestInit['body'], headers: { 'content-type': 'application/json', ...headers } });
}

export async function getJson(app: KeelApp['app'], path: string, adminKey: string) {
  const res = await app.request(path, { headers: { authorization: bearer(adminKey) } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { data?: Array<Record<string, unknown>> } };
}
