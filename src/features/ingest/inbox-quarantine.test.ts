import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { processInbox } from './ingest-processor.ts';
import { insertInboxRow, selectRejected } from './ingest.queries.ts';
import { acceptEvents } from './ingest.service.ts';
import { validateEvent } from './segment-event.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const accepted = (raw: Record<string, unknown>) => {
  const result = validateEvent({ raw, type: undefined, receivedAt: new Date(), batchSentAt: undefined, batchContext: undefined });
  if (!result.ok) throw new Error(result.reason);
  return result.event;
};

describe(`a poisoned inbox row does not stop the stream (${testDatabaseLabel})`, () => {
  it('stores every good event, rejects the bad ones with the error, and empties the inbox', async () => {
    const ws = await createWorkspace(db.kysely, 'poison');
    await acceptEvents(db.kysely, ws.id, { events: [{ type: 'track', userId: 'u1', event: 'Before', messageId: 'before' }], receivedAt: new Date() });
    // A row as a bug or a bad upgrade might leave it: one event with context null among good ones.
    const poisoned = { ...accepted({ type: 'track', userId: 'u2', event: 'Poison', messageId: 'poison' }), context: null };
    const good = accepted({ type: 'track', userId: 'u2', event: 'Neighbour', messageId: 'neighbour' });
    await insertInboxRow(db.kysely, ws.id, new Date(), 2, JSON.stringify([good, poisoned]));
    await insertInboxRow(db.kysely, ws.id, new Date(), 1, 'this is not JSON');
    await acceptEvents(db.kysely, ws.id, { events: [{ type: 'track', userId: 'u3', event: 'After', messageId: 'after' }], receivedAt: new Date() });

    const outcome = await processInbox(db.kysely);
    expect(outcome).toMatchObject({ events: 3, quarantined: 2 });
    const stored = await db.kysely.selectFrom('events').select('message_id').where('workspace_id', '=', ws.id).orderBy('message_id').execute();
    expect(stored.map((e) => e.message_id)).toEqual(['after', 'before', 'neighbour']);
    const rejected = await selectRejected(db.kysely, ws.id, { limit: 10 });
    expect(rejected.map((r) => r.reason)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^processing failed: .*null/), expect.stringMatching(/^processing failed: unreadable inbox row/)]),
    );
    expect(rejected.find((r) => r.message_id === 'poison')?.payload).toContain('"Poison"');
    const inbox = await db.kysely.selectFrom('ingest_inbox').select('id').where('workspace_id', '=', ws.id).execute();
    expect(inbox).toEqual([]);
  });
});
