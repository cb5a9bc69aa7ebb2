import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { applySegment } from '../audiences/index.ts';
import { createTopic, isSubscribed, recordConsent, updatePolicies } from '../consent/index.ts';
import { createMailer } from '../messaging/index.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { listMerges, undoMerge } from './dedupe.service.ts';

let db: Db;
const actor = cliActor();
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

async function ingest(workspaceId: string, events: Array<Record<string, unknown>>) {
  await acceptEvents(db.kysely, workspaceId, { events, receivedAt: new Date() });
  await processInbox(db.kysely);
}

const contactOf = async (workspaceId: string, email: string) =>
  (await db.kysely.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst())?.id;

const queued = async (workspaceId: string) =>
  (await db.kysely.selectFrom('audience_queue').select('entity_id').where('workspace_id', '=', workspaceId).execute()).map((r) => r.entity_id);

describe(`merges keep consent and audience state (${testDatabaseLabel})`, () => {
  it('identity resolution moves consent and exits memberships; undo moves exactly those records back and re-queues both', async () => {
    const ws = await createWorkspace(db.kysely, 'Merge seams');
    await createTopic(db.kysely, ws.id, { key: 'newsletter', name: 'Newsletter', regime: 'opt_in' }, actor);
    await ingest(ws.id, [
      { type: 'identify', anonymousId: 'anon-1', messageId: 'm1', traits: { email: 'dana@example.com' } },
      { type: 'identify', userId: 'u-dana', messageId: 'm2', traits: { email: 'dana.work@example.com' } },
    ]);
    const loser = (await contactOf(ws.id, 'dana@example.com'))!;
    const winner = (await contactOf(ws.id, 'dana.work@example.com'))!;
    await recordConsent(db.kysely, ws.id, [{ contactId: loser, topicKey: 'newsletter', status: 'opted_in', source: 'form' }], actor);
    await applySegment(db.kysely, ws.id, { name: 'Picked', type: 'static', members: [loser] }, actor);
    await db.kysely.deleteFrom('audience_queue').where('workspace_id', '=', ws.id).execute();
    await createTopic(db.kysely, ws.id, { key: 'product', name: 'Product', regime: 'opt_out' }, actor);
    await updatePolicies(db.kysely, ws.id, { senderEmail: 'news@acme.example', postalAddress: '1 Main St' }, actor);
    const mailer = createMailer({ publicUrl: 'https://keel.example.com' });
    const sent = await mailer.send(db.kysely, { workspaceId: ws.id, contactId: loser, topicKey: 'product', kind: 'marketing', content: { subject: 'Hi', text: 'Hello' } });
    await mailer.close();
    expect(sent.status).toBe('sent');
    const messageOwner = async () => (await db.kysely.selectFrom('messages').select('contact_id').where('workspace_id', '=', ws.id).executeTakeFirstOrThrow()).contact_id;

    // One event names both identities: the resolver merges the two contacts.
    await ingest(ws.id, [{ type: 'identify', userId: 'u-dana', anonymousId: 'anon-1', messageId: 'm3' }]);
    const [merge] = await listMerges(db.kysely, ws.id, 'contact', 10);
    expect(merge).toBeDefined();
    const survivor = merge!.winner_id;
    const gone = merge!.loser_id;
    // The contact known by user id survives: the anonymous one's rows must follow it.
    expect([survivor, gone]).toEqual([winner, loser]);
    // Whoever survived holds the opt-in; nothing is left pointing at the deleted contact.
    expect(await isSubscribed(db.kysely, ws.id, survivor, 'newsletter')).toBe(true);
    const orphans = await sql<{ n: number }>`select count(*)::int as n from consent_records where workspace_id = ${ws.id}::uuid and contact_id = ${gone}::uuid`.execute(db.kysely);
    expect(orphans.rows[0]!.n).toBe(0);
    expect(await queued(ws.id)).toContain(survivor);
    // The message log follows the person (caps count it, reports join it to the survivor).
    expect(await messageOwner()).toBe(survivor);

    const members = await db.kysely.selectFrom('segment_members').select('member_id').where('workspace_id', '=', ws.id).execute();
    expect(members.map((m) => m.member_id)).not.toContain(loser);

    await db.kysely.deleteFrom('audience_queue').where('workspace_id', '=', ws.id).execute();
    const undone = await undoMerge(db.kysely, ws.id, 'contact', merge!.id, actor);
    expect(undone.restoredRows).toMatchObject({ consent_records: 1, messages: 1 });
    expect(await messageOwner()).toBe(loser);
    expect(await isSubscribed(db.kysely, ws.id, loser, 'newsletter')).toBe(true);
    expect(await isSubscribed(db.kysely, ws.id, winner, 'newsletter')).toBe(false);
    expect(new Set(await queued(ws.id))).toEqual(new Set([winner, loser]));
  });
});
