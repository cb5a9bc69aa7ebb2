import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildDatabaseEnv, testDatabaseLabel } from './platform/db/test-database.ts';
import { runKeel, startKeel } from './testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-durability-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const batchOf = (n: number) => ({
  batch: Array.from({ length: 100 }, (_, i) => ({ type: 'track', userId: `u${i % 13}`, event: 'Durable', messageId: `b${n}-e${i}` })),
});

describe(`acknowledged events survive SIGKILL (${testDatabaseLabel})`, () => {
  it('keeps every event that got a 200 when the server is killed mid-stream', async () => {
    const ws = JSON.parse(runKeel(['workspace', 'create', 'durable', '--json'], database.env)) as { writeKey: string; adminKey: string };
    const server = await startKeel(database.env);
    const acked = new Set<string>();
    let sent = 0;
    const auth = `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`;
    // Four clients send batches until the server dies; it is killed right after the 12th acknowledgement.
    const client = async () => {
      for (;;) {
        const n = sent++;
        try {
          const res = await fetch(`${server.base}/v1/batch`, { method: 'POST', body: JSON.stringify(batchOf(n)), headers: { authorization: auth, 'content-type': 'application/json' } });
          if (res.status !== 200) throw new Error(`status ${res.status}`);
          for (let i = 0; i < 100; i += 1) acked.add(`b${n}-e${i}`);
          if (acked.size >= 1200 && server.child.exitCode === null) server.child.kill('SIGKILL');
        } catch {
          return;
        }
      }
    };
    await Promise.all([client(), client(), client(), client()]);
    await server.stop();
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(1200);

    const restarted = await startKeel(database.env);
    try {
      const admin = { authorization: `Bearer ${ws.adminKey}` };
      const deadline = Date.now() + 30_000;
      let stats: { events: number; pending_events: number } = { events: 0, pending_events: 1 };
      while (Date.now() < deadline) {
        stats = (await (await fetch(`${restarted.base}/api/v1/stats`, { headers: admin })).json()) as typeof stats;
        if (stats.pending_events === 0 && stats.events >= acked.size) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const stored = new Set<string>();
      let cursor: string | null = null;
      do {
        const url: string = `${restarted.base}/api/v1/events?name=Durable&limit=500${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await (await fetch(url, { headers: admin })).json()) as { data: Array<{ message_id: string }>; next_cursor: string | null };
        for (const e of page.data) stored.add(e.message_id);
        cursor = page.next_cursor;
      } while (cursor);
      const lost = [...acked].filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
    } finally {
      await restarted.stop();
    }
  }, 120_000);
});
