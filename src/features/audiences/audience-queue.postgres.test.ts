import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { ingestPeople, NOW } from './audience-fixtures.ts';
import { takeQueueEntries } from './derivation.queries.ts';
import { countAudienceQueue, deriveQueuedAudiences } from './derivation.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const contactOf = async (ws: string, userId: string) =>
  (await sql<{ contact_id: string }>`select contact_id from identities where workspace_id = ${ws}::uuid and kind = 'user_id' and value = ${userId}`.execute(db.kysely)).rows[0]!.contact_id;

/** Resolves when some session of this database waits for a lock, or when `done()` says stop. */
async function firstLockWait(isDone: () => boolean): Promise<'blocked' | 'not blocked'> {
  while (!isDone()) {
    const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_locks l where not l.granted`.execute(db.kysely);
    if (waiting.rows[0]!.n > 0) return 'blocked';
    await new Promise((r) => setTimeout(r, 10));
  }
  return 'not blocked';
}

// Two sessions at once need a server (PGlite has one connection): this file runs only in the
// PostgreSQL suite (vitest.config.ts includes *.postgres.test.ts when KEEL_TEST_DATABASE_URL is set).
describe(`audience queue under concurrency (${testDatabaseLabel})`, () => {
  it('ingest of a contact never waits for a derivation that holds its queued work', async () => {
    const ws = (await createWorkspace(db.kysely, 'queue-no-wait')).id;
    await ingestPeople(db.kysely, ws, [{ userId: 'q1', traits: { email: 'q1@example.com' }, events: [{ name: 'Webinar', daysAgo: 1 }] }]);
    const contact = await contactOf(ws, 'q1');
    await db.kysely.transaction().execute(async (trx) => {
      // The derivation's claim, left open: this transaction holds q1's queued work.
      const taken = await takeQueueEntries(trx, ws, 100);
      expect([...taken.contacts.keys()]).toContain(contact);
      // Meanwhile a new event of the same contact goes through the whole ingest path.
      let finished = false;
      const ingest = ingestPeople(db.kysely, ws, [{ userId: 'q1', events: [{ name: 'Webinar', daysAgo: 0 }] }]).finally(() => (finished = true));
      const watcher = firstLockWait(() => finished);
      const outcome = await Promise.race([ingest.then(() => 'not blocked' as const), watcher]);
      expect(outcome).toBe('not blocked');
      await ingest;
      await watcher;
      // The new work is queued beside the claimed one (append-only), not merged into it.
      const queued = await sql<{ n: number }>`select count(*)::int as n from audience_queue where workspace_id = ${ws}::uuid and entity_id = ${contact}::uuid`.execute(db.kysely);
      expect(queued.rows[0]!.n).toBeGreaterThan(0);
    });
    // The claim committed (its rows are gone); the new event's work is still waiting.
    expect(await countAudienceQueue(db.kysely, ws)).toBeGreaterThan(0);
    const outcome = await deriveQueuedAudiences(db.kysely, ws, { now: NOW });
    expect(outcome?.touchedContacts).toContain(contact);
    expect(await countAudienceQueue(db.kysely, ws)).toBe(0);
  });

});
