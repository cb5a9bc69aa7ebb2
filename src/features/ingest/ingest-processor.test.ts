import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { processInbox } from './ingest-processor.ts';
import { acceptEvents } from './ingest.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

async function ingest(workspaceId: string, events: Array<Record<string, unknown>>) {
  const result = await acceptEvents(db.kysely, workspaceId, { events, receivedAt: new Date() });
  await processInbox(db.kysely);
  return result;
}

async function contactsOf(workspaceId: string) {
  return db.kysely.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).execute();
}

async function identitiesOf(workspaceId: string) {
  const rows = await db.kysely.selectFrom('identities').selectAll().where('workspace_id', '=', workspaceId).execute();
  return new Map(rows.map((r) => [`${r.kind}:${r.value}`, r.contact_id]));
}

describe(`ingest processing and identity (${testDatabaseLabel})`, () => {
  it('stitches anonymous page views to the contact once they identify', async () => {
    const ws = await createWorkspace(db.kysely, 'stitch');
    await ingest(ws.id, [
      { type: 'page', anonymousId: 'anon-1', name: 'Pricing', messageId: 'm1', context: { page: { url: 'https://x.io/p?utm_source=google&utm_medium=cpc' } } },
      { type: 'track', anonymousId: 'anon-1', event: 'Viewed Demo', messageId: 'm2' },
    ]);
    expect(await contactsOf(ws.id)).toHaveLength(1);
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', anonymousId: 'anon-1', traits: { email: 'Ada@Example.com', firstName: 'Ada', plan: 'pro' }, messageId: 'm3' },
    ]);
    const contacts = await contactsOf(ws.id);
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ email: 'ada@example.com', first_name: 'Ada', traits: { plan: 'pro' } });
    const events = await db.kysely.selectFrom('events').selectAll().where('workspace_id', '=', ws.id).execute();
    expect(events).toHaveLength(3);
    expect(new Set(events.map((e) => e.contact_id))).toEqual(new Set([contacts[0]!.id]));
    expect(events.find((e) => e.message_id === 'm1')).toMatchObject({ utm_source: 'google', utm_medium: 'cpc' });
  });

  it('merges a known contact and an anonymous one, keeping every event and recording the merge', async () => {
    const ws = await createWorkspace(db.kysely, 'merge');
    await ingest(ws.id, [{ type: 'identify', userId: 'u1', traits: { email: 'a@b.co' }, messageId: 'a' }]);
    await ingest(ws.id, [{ type: 'track', anonymousId: 'anon-9', event: 'Signup Started', messageId: 'b' }]);
    expect(await contactsOf(ws.id)).toHaveLength(2);
    await ingest(ws.id, [{ type: 'track', userId: 'u1', anonymousId: 'anon-9', event: 'Signup Finished', messageId: 'c' }]);
    const contacts = await contactsOf(ws.id);
    expect(contacts).toHaveLength(1);
    const ids = await identitiesOf(ws.id);
    expect(ids.get('anonymous_id:anon-9')).toBe(contacts[0]!.id);
    expect(ids.get('email:a@b.co')).toBe(contacts[0]!.id);
    const merges = await db.kysely.selectFrom('contact_merges').selectAll().where('workspace_id', '=', ws.id).execute();
    expect(merges).toHaveLength(1);
    expect(merges[0]).toMatchObject({ winner_id: contacts[0]!.id, events_moved: 1, identities_moved: 1 });
  });

  it('never merges two contacts with different userIds and records the conflict', async () => {
    const ws = await createWorkspace(db.kysely, 'conflict');
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', anonymousId: 'shared-device', messageId: 'x1' },
      { type: 'identify', userId: 'u2', anonymousId: 'shared-device', messageId: 'x2' },
    ]);
    expect(await contactsOf(ws.id)).toHaveLength(2);
    const conflicts = await db.kysely.selectFrom('identity_conflicts').selectAll().where('workspace_id', '=', ws.id).execute();
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'anonymous_id', value: 'shared-device', message_id: 'x2' });
  });

  it('de-duplicates by messageId and treats placeholder ids as missing', async () => {
    const ws = await createWorkspace(db.kysely, 'dedupe');
    const first = await ingest(ws.id, [
      { type: 'track', userId: 'u1', event: 'A', messageId: 'same' },
      { type: 'track', userId: 'u1', event: 'A', messageId: 'same' },
      { type: 'track', userId: 'null', anonymousId: 'undefined', event: 'B' },
    ]);
    expect(first.accepted).toBe(2);
    expect(first.rejected).toEqual([expect.objectContaining({ index: 2, field: 'userId' })]);
    await ingest(ws.id, [{ type: 'track', userId: 'u1', event: 'A', messageId: 'same' }]);
    const events = await db.kysely.selectFrom('events').select('message_id').where('workspace_id', '=', ws.id).execute();
    expect(events).toHaveLength(1);
  });

  it('lets the newest identify win by event time, and a late older one only fill gaps', async () => {
    const ws = await createWorkspace(db.kysely, 'late');
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', timestamp: '2026-03-02T00:00:00Z', traits: { email: 'new@acme.com', title: 'VP Marketing', plan: 'enterprise' } },
    ]);
    // Sent from an offline phone a day late: older than what is stored.
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', timestamp: '2026-03-01T00:00:00Z', traits: { email: 'old@acme.com', title: 'Manager', phone: '+1 415 555 2671', plan: 'free', region: 'EMEA' } },
    ]);
    let [contact] = await contactsOf(ws.id);
    expect(contact).toMatchObject({ email: 'new@acme.com', title: 'VP Marketing', phone: '+14155552671', traits: { plan: 'enterprise', region: 'EMEA' } });
    // Within one chunk too: the order of arrival does not matter, event time does.
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', timestamp: '2026-03-05T00:00:00Z', traits: { title: 'CMO' } },
      { type: 'identify', userId: 'u1', timestamp: '2026-03-04T00:00:00Z', traits: { title: 'SVP Marketing', plan: 'pro' } },
    ]);
    [contact] = await contactsOf(ws.id);
    expect(contact).toMatchObject({ title: 'CMO', traits: { plan: 'pro', region: 'EMEA' } });
    expect(contact!.traits_updated_at?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
  });

  it('upserts the account of a group call and links the contact', async () => {
    const ws = await createWorkspace(db.kysely, 'group');
    await ingest(ws.id, [
      { type: 'group', userId: 'u1', groupId: 'acme', traits: { name: 'Acme', website: 'https://www.acme.com', employees: '5,000', tier: 'gold' } },
    ]);
    const accounts = await db.kysely.selectFrom('accounts').selectAll().where('workspace_id', '=', ws.id).execute();
    expect(accounts).toEqual([expect.objectContaining({ external_id: 'acme', name: 'Acme', domain: 'acme.com', employees: 5000, traits: { tier: 'gold', name_match_key: 'acme' } })]);
    const links = await db.kysely.selectFrom('contact_accounts').selectAll().where('workspace_id', '=', ws.id).execute();
    expect(links).toHaveLength(1);
  });
});
