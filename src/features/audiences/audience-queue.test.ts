import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { ingestPeople, NOW } from './audience-fixtures.ts';
import { silentLogger } from '../../platform/logger.ts';
import { createAudienceWorker } from './audience-worker.ts';
import { takeQueueEntries } from './derivation.queries.ts';
import { countAudienceQueue, deriveQueuedAudiences, enqueueAudienceWork } from './derivation.service.ts';
import { applySegment } from './segments.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

describe(`audience queue (${testDatabaseLabel})`, () => {
  it('keeps the claimed work queued when a derivation fails, and derives it once the cause is fixed', async () => {
    const ws = (await createWorkspace(db.kysely, 'queue-failure')).id;
    await applySegment(db.kysely, ws, { name: 'fans', rules: [{ event: { name: 'Webinar' } }] }, cliActor(), NOW);
    await ingestPeople(db.kysely, ws, [
      { userId: 'f1', events: [{ name: 'Webinar', daysAgo: 1 }] },
      { userId: 'f2', events: [{ name: 'Webinar', daysAgo: 2 }] },
    ]);
    expect(await countAudienceQueue(db.kysely, ws)).toBe(2);
    // A definition broken behind the API's back (an unknown field) makes the derivation throw.
    const broken = { name: 'fans', rules: [{ field: { name: 'shoe_size', op: 'eq', value: 1 } }] };
    await sql`update segments set definition = ${JSON.stringify(broken)}::jsonb where workspace_id = ${ws}::uuid`.execute(db.kysely);
    await expect(deriveQueuedAudiences(db.kysely, ws, { now: NOW })).rejects.toThrow(/shoe_size/);
    expect(await countAudienceQueue(db.kysely, ws)).toBe(2);
    await sql`update segments set definition = ${JSON.stringify({ name: 'fans', rules: [{ event: { name: 'Webinar' } }] })}::jsonb where workspace_id = ${ws}::uuid`.execute(db.kysely);
    const outcome = await deriveQueuedAudiences(db.kysely, ws, { now: NOW });
    expect(outcome?.membershipChanges).toBe(2);
    expect(await countAudienceQueue(db.kysely, ws)).toBe(0);
  });

  it('derives at once when nudged, instead of at its next poll', async () => {
    const ws = (await createWorkspace(db.kysely, 'queue-nudge')).id;
    await applySegment(db.kysely, ws, { name: 'fans', rules: [{ event: { name: 'Webinar' } }] }, cliActor(), NOW);
    // A poll far longer than the test: only the nudge can bring the change in.
    const worker = createAudienceWorker(db.kysely, silentLogger(), { pollMs: 600_000, kind: db.kind });
    worker.start();
    try {
      const members = async () => (await sql<{ n: number }>`select count(*)::int as n from segment_members where workspace_id = ${ws}::uuid`.execute(db.kysely)).rows[0]!.n;
      // Let the first pass find the queue empty and go to sleep.
      await new Promise((r) => setTimeout(r, 300));
      await ingestPeople(db.kysely, ws, [{ userId: 'n1', events: [{ name: 'Webinar', daysAgo: 1 }] }]);
      expect(await members()).toBe(0);
      worker.nudge();
      const deadline = Date.now() + 20_000;
      while ((await members()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(await members()).toBe(1);
      expect(await countAudienceQueue(db.kysely, ws)).toBe(0);
    } finally {
      await worker.stop();
    }
  });

  it('takes at most the limit of queued rows in a pass, oldest first', async () => {
    const ws = (await createWorkspace(db.kysely, 'queue-limit')).id;
    const ids = Array.from({ length: 30 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await enqueueAudienceWork(db.kysely, ws, { contactIds: ids });
    const taken = await db.kysely.transaction().execute((trx) => takeQueueEntries(trx, ws, 12));
    expect([...taken.contacts.keys()]).toEqual(ids.slice(0, 12));
    expect(await countAudienceQueue(db.kysely, ws)).toBe(18);
  });
});
