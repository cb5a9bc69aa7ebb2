import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { listReviewQueue } from '../dedupe/index.ts';
import { seedDemoDuplicates } from './demo-duplicates.ts';
import { seedDemoWorkspace } from './demo.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

describe(`demo duplicates (${testDatabaseLabel})`, () => {
  it('adds near-duplicates after the seed and leaves pairs to review or merged', async () => {
    const seeded = await seedDemoWorkspace(db.kysely, { scale: 0.01, seed: 4, anchor: new Date('2025-06-01T12:00:00Z') });
    const result = await seedDemoDuplicates(db.kysely, seeded.workspaceId);
    expect(result.contacts.merged + result.contacts.queued).toBeGreaterThanOrEqual(4);
    expect(result.accounts.merged + result.accounts.queued).toBeGreaterThanOrEqual(1);
    const queue = await listReviewQueue(db.kysely, seeded.workspaceId, undefined, 100);
    expect(queue.items.length).toBe(result.contacts.queued + result.accounts.queued);
  });
});
