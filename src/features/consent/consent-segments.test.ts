import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { applySegment, listSegmentMembers } from '../audiences/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { createTopic, isSubscribed, recordConsent } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const actor = cliActor();
const ids: Record<string, string> = {};

async function makeContacts(emails: string[]): Promise<void> {
  for (const email of emails) await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const rows = await sql<{ id: string; email: string }>`select id, email from contacts where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely);
  for (const r of rows.rows) ids[r.email] = r.id;
}

async function membersOf(name: string, rules: unknown[]): Promise<string[]> {
  await applySegment(t.db.kysely, ws.id, { name, rules }, actor);
  const { members } = await listSegmentMembers(t.db.kysely, ws.id, name, { limit: 100 });
  const byId = new Map(Object.entries(ids).map(([email, id]) => [id, email]));
  return members.map((m) => byId.get(m.id)!).sort();
}

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('consent segments');
  await createTopic(t.db.kysely, ws.id, { key: 'newsletter', name: 'Newsletter', regime: 'opt_in' }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'product', name: 'Product updates', regime: 'opt_out' }, actor);
  await makeContacts(['in@example.com', 'out@example.com', 'silent@example.com', 'back@example.com', 'pending@example.com']);
  const rec = (email: string, topicKey: string, status: 'opted_in' | 'opted_out' | 'pending') => ({ contactId: ids[email]!, topicKey, status, source: 'api' as const });
  await recordConsent(t.db.kysely, ws.id, [rec('in@example.com', 'newsletter', 'opted_in'), rec('out@example.com', 'newsletter', 'opted_in'), rec('back@example.com', 'newsletter', 'opted_out')], actor);
  await recordConsent(t.db.kysely, ws.id, [rec('out@example.com', 'newsletter', 'opted_out'), rec('back@example.com', 'newsletter', 'opted_in'), rec('pending@example.com', 'newsletter', 'pending')], actor);
  await recordConsent(t.db.kysely, ws.id, [rec('out@example.com', 'product', 'opted_out'), rec('pending@example.com', 'product', 'pending'), rec('back@example.com', 'product', 'opted_out')], actor);
  await recordConsent(t.db.kysely, ws.id, [rec('back@example.com', 'product', 'opted_in')], actor);
});
afterAll(() => t.close());

describe(`segments on consent (${testDatabaseLabel})`, () => {
  it('opt-in regime: only a newest recorded opt-in counts; silence, pending and a later opt-out do not', async () => {
    expect(await membersOf('news-in', [{ consent: { topic: 'newsletter' } }])).toEqual(['back@example.com', 'in@example.com']);
    expect(await membersOf('news-out', [{ consent: { topic: 'newsletter', status: 'unsubscribed' } }])).toEqual(['out@example.com', 'pending@example.com', 'silent@example.com']);
  });

  it('opt-out regime: everyone is in until they opt out (or are pending); a later opt-in brings them back', async () => {
    expect(await membersOf('product-in', [{ consent: { topic: 'product' } }])).toEqual(['back@example.com', 'in@example.com', 'silent@example.com']);
    expect(await membersOf('product-out', [{ consent: { topic: 'product', status: 'unsubscribed' } }])).toEqual(['out@example.com', 'pending@example.com']);
  });

  it('agrees with isSubscribed, the per-contact answer of the consent feature', async () => {
    for (const topic of ['newsletter', 'product']) {
      const members = new Set(await membersOf(`check-${topic}`, [{ consent: { topic } }]));
      for (const [email, id] of Object.entries(ids)) expect([topic, email, members.has(email)]).toEqual([topic, email, await isSubscribed(t.db.kysely, ws.id, id, topic)]);
    }
  });

  it('combines with other conditions in one segment, and an unknown topic matches nobody', async () => {
    expect(await membersOf('combined', [{ consent: { topic: 'product' } }, { consent: { topic: 'newsletter', status: 'unsubscribed' } }])).toEqual(['silent@example.com']);
    expect(await membersOf('unknown', [{ consent: { topic: 'webinars' } }])).toEqual([]);
  });
});
