import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildDatabaseEnv, testDatabaseLabel } from './platform/db/test-database.ts';
import { runKeel, startKeel, type KeelProcess } from './testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-roles-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`process roles (${testDatabaseLabel})`, () => {
  if (testDatabaseLabel === 'pglite') {
    it('refuses --role api|worker on embedded PGlite, naming what to do instead', () => {
      const result = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'keel.js'), 'start', '--role', 'api'], {
        env: { ...process.env, ...database.env },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/--role api needs a shared PostgreSQL \(KEEL_DATABASE_URL\)/);
    });
    return;
  }

  it('serves ingest from an API-only process while two worker processes share the processing', async () => {
    const ws = JSON.parse(runKeel(['workspace', 'create', 'roles', '--json'], database.env)) as { writeKey: string; adminKey: string };
    const api: KeelProcess = await startKeel(database.env, ['start', '--role', 'api', '--no-demo']);
    const workerArgs = ['start', '--role', 'worker', '--no-demo'];
    const workers = [await startKeel(database.env, workerArgs), await startKeel(database.env, workerArgs)];
    try {
      const auth = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;
      for (let b = 0; b < 20; b += 1) {
        const batch = Array.from({ length: 50 }, (_, i) => ({ type: 'track', userId: `u${(b * 50 + i) % 97}`, event: 'Scaled', messageId: `r-${b}-${i}` }));
        const res = await fetch(`${api.base}/v1/batch`, { method: 'POST', body: JSON.stringify({ batch }), headers: { authorization: auth, 'content-type': 'application/json' } });
        expect(res.status).toBe(200);
      }
      const deadline = Date.now() + 30_000;
      let stats = { events: 0, contacts: 0, pending_events: -1 };
      while (Date.now() < deadline) {
        stats = (await (await fetch(`${api.base}/api/v1/stats`, { headers: { authorization: `Bearer ${ws.adminKey}` } })).json()) as typeof stats;
        if (stats.pending_events === 0 && stats.events === 1000) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(stats).toMatchObject({ events: 1000, contacts: 97, pending_events: 0 });
    } finally {
      await api.stop();
      await Promise.all(workers.map((w) => w.stop()));
    }
  }, 90_000);
});
