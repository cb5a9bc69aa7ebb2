import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor, listAuditEntries } from '../audit/index.ts';
import { createBlankContacts } from '../contacts/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import {
  addSuppressions,
  createTopic,
  findErasedEmails,
  findSuppressionsFor,
  getConsentState,
  importSuppressionsCsv,
  isSubscribed,
  listConsentedContactIds,
  moveConsentToContact,
  recordConsent,
  replaceWithErasedHash,
  signToken,
  verifyToken,
} from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const actor = cliActor();

/** Contacts come from ingest, as in production. */
async function makeContact(email: string): Promise<string> {
  await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const row = await sql<{ id: string }>`select id from contacts where workspace_id = ${ws.id}::uuid and email = ${email}`.execute(t.db.kysely);
  return row.rows[0]!.id;
}

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('consent');
  await createTopic(t.db.kysely, ws.id, { key: 'newsletter', name: 'Newsletter', regime: 'opt_in' }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'product', name: 'Product updates', regime: 'opt_out', channels: ['email', 'sms'] }, actor);
});
afterAll(() => t.close());

describe(`consent records (${testDatabaseLabel})`, () => {
  it('derives the current state from an append-only history', async () => {
    const id = await makeContact('ann@example.com');
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(false); // opt-in: nothing recorded yet
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'product')).toBe(true); // opt-out: in until they leave
    await recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'newsletter', status: 'opted_in', source: 'form', ip: '203.0.113.9', consentText: 'Send me the newsletter' }], actor);
    await recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'product', status: 'opted_out', source: 'api' }], actor);
    const state = await getConsentState(t.db.kysely, ws.id, id);
    expect(state.map((s) => [s.topic.key, s.current?.status, s.subscribed])).toEqual([
      ['newsletter', 'opted_in', true],
      ['product', 'opted_out', false],
    ]);
    await recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'newsletter', status: 'opted_out', source: 'preference_centre' }], actor);
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(false);
    expect((await listConsentedContactIds(t.db.kysely, ws.id, 'product')).contactIds).toContain(id);
    // History is never rewritten: the database itself refuses.
    await expect(sql`update consent_records set status = 'opted_in' where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`delete from consent_records where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely)).rejects.toThrow(/append-only/);
    const audit = await listAuditEntries(t.db.kysely, ws.id, { action: 'consent.recorded', objectId: id, limit: 10 });
    expect(audit).toHaveLength(3);
  });

  it('refuses an opt-in to an opt-in topic without consent as the basis, and unknown topics', async () => {
    const id = await makeContact('bob@example.com');
    await expect(recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'newsletter', status: 'opted_in', lawfulBasis: 'legitimate_interests', source: 'api' }], actor)).rejects.toThrow(
      /lawfulBasis must be "consent" to opt in to the opt-in topic "newsletter"/,
    );
    await expect(recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'webinars', status: 'opted_in', source: 'api' }], actor)).rejects.toThrow(
      /Unknown topic "webinars"; known topics: newsletter, product/,
    );
  });

  it('records a bulk of 8,000 (over the protocol limit of 65,535 parameters in one insert) and refuses one unknown contact whole', async () => {
    const ids = Array.from({ length: 8000 }, () => randomUUID());
    await createBlankContacts(t.db.kysely, ws.id, ids, new Date());
    const stored = await recordConsent(t.db.kysely, ws.id, ids.map((contactId) => ({ contactId, topicKey: 'newsletter', status: 'opted_in' as const, source: 'import' as const })), actor);
    expect(stored).toHaveLength(8000);
    expect(await isSubscribed(t.db.kysely, ws.id, ids[7999]!, 'newsletter')).toBe(true);
    const audited = await sql<{ n: number }>`select count(*)::int as n from audit_log where workspace_id = ${ws.id}::uuid and action = 'consent.recorded' and object_id = any(${ids}::text[])`.execute(t.db.kysely);
    expect(audited.rows[0]!.n).toBe(8000);
    const stranger = randomUUID();
    const before = await sql<{ n: number }>`select count(*)::int as n from consent_records where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely);
    await expect(recordConsent(t.db.kysely, ws.id, [{ contactId: ids[0]!, topicKey: 'product', status: 'opted_out', source: 'api' }, { contactId: stranger, topicKey: 'product', status: 'opted_out', source: 'api' }], actor)).rejects.toThrow(`Contact ${stranger} not found`);
    const after = await sql<{ n: number }>`select count(*)::int as n from consent_records where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely);
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n);
  });

  it('moves consent to the winner of a merge (seam for dedupe)', async () => {
    const loser = await makeContact('carol.old@example.com');
    const winner = await makeContact('carol@example.com');
    await recordConsent(t.db.kysely, ws.id, [{ contactId: loser, topicKey: 'newsletter', status: 'opted_in', source: 'form' }], actor);
    await t.db.kysely.transaction().execute((trx) => moveConsentToContact(trx, ws.id, loser, winner, actor));
    expect(await isSubscribed(t.db.kysely, ws.id, winner, 'newsletter')).toBe(true);
    // Outside a merge the trigger still refuses changes.
    await expect(sql`update consent_records set contact_id = ${loser}::uuid where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely)).rejects.toThrow(/append-only/);
  });
});

describe(`suppressions (${testDatabaseLabel})`, () => {
  it('imports a CSV all or nothing, naming the bad line', async () => {
    const good = 'Email,Reason,Topic,Channel\nbounce@example.com,hard_bounce,,\nnot-an-email,manual,,\nnews-only@example.com,unsubscribed,newsletter,\nsms-no@example.com,manual,,sms\n';
    await expect(importSuppressionsCsv(t.db.kysely, ws.id, good, actor)).rejects.toThrow(/CSV line 3: email must be an email address/);
    expect(await findSuppressionsFor(t.db.kysely, ws.id, 'bounce@example.com')).toHaveLength(0); // nothing half-imported
    const fixed = good.replace('not-an-email', 'person@example.com');
    expect(await importSuppressionsCsv(t.db.kysely, ws.id, fixed, actor)).toEqual({ imported: 4, rows: 4 });
    const [news] = await findSuppressionsFor(t.db.kysely, ws.id, 'NEWS-ONLY@example.com');
    expect(news).toMatchObject({ scope: 'topic', reason: 'unsubscribed' });
    const [sms] = await findSuppressionsFor(t.db.kysely, ws.id, 'sms-no@example.com');
    expect(sms).toMatchObject({ scope: 'channel', channel: 'sms' });
    await expect(importSuppressionsCsv(t.db.kysely, ws.id, 'email,reason\nx@example.com,spam\n', actor)).rejects.toThrow(/CSV line 2: reason must be one of/);
    await expect(importSuppressionsCsv(t.db.kysely, ws.id, 'mail,reason\nx@example.com,manual\n', actor)).rejects.toThrow(/header must have an "email" column/);
    await expect(importSuppressionsCsv(t.db.kysely, ws.id, 'email,reason\n"unterminated,manual\n', actor)).rejects.toThrow(/CSV is malformed/);
    expect(await listAuditEntries(t.db.kysely, ws.id, { action: 'suppression.added', limit: 100 })).toHaveLength(4);
  });

  it('keeps only a salted hash for an erased address, and still recognizes it', async () => {
    await addSuppressions(t.db.kysely, ws.id, [{ email: 'gone@example.com', reason: 'complaint' }], actor);
    await replaceWithErasedHash(t.db.kysely, ws.id, 'gone@example.com');
    const rows = await sql<{ email: string | null; email_hash: string | null; reason: string }>`select email, email_hash, reason from suppressions where workspace_id = ${ws.id}::uuid and (email = 'gone@example.com' or reason = 'erased')`.execute(t.db.kysely);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ email: null, reason: 'erased' });
    expect(rows.rows[0]!.email_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await findErasedEmails(t.db.kysely, ws.id, ['Gone@Example.com'.toLowerCase(), 'other@example.com'])).toEqual(new Set(['gone@example.com']));
    // Another workspace has another salt: the same address hashes differently there.
    const other = await t.workspace('other');
    expect(await findErasedEmails(t.db.kysely, other.id, ['gone@example.com'])).toEqual(new Set());
  });

  it('serves topics, consent and suppressions over the API with clear errors', async () => {
    const auth = { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' };
    const bad = await t.app.request('/api/v1/topics', { method: 'POST', headers: auth, body: JSON.stringify({ key: 'Bad Key!', name: 'x', regime: 'opt_in' }) });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/key must be 1 to 63 lower-case/);
    const dup = await t.app.request('/api/v1/topics', { method: 'POST', headers: auth, body: JSON.stringify({ key: 'newsletter', name: 'x', regime: 'opt_in' }) });
    expect(dup.status).toBe(409);
    const csv = await t.app.request('/api/v1/suppressions/import', { method: 'POST', headers: { ...auth, 'content-type': 'text/csv' }, body: 'email,reason\napi-import@example.com,manual\n' });
    expect(await csv.json()).toEqual({ imported: 1, rows: 1 });
    const listed = await t.app.request('/api/v1/suppressions?email=api-import@example.com', { headers: auth });
    const page = (await listed.json()) as { data: Array<{ id: string; source: string }> };
    expect(page.data[0]!.source).toBe('csv_import');
    const lifted = await t.app.request(`/api/v1/suppressions/${page.data[0]!.id}`, { method: 'DELETE', headers: auth });
    expect(lifted.status).toBe(204);
    const wrongType = await t.app.request('/api/v1/suppressions/import', { method: 'POST', headers: auth, body: '{}' });
    expect(wrongType.status).toBe(415);
  });
});

describe(`signed tokens (${testDatabaseLabel})`, () => {
  it('refuse forged, altered, expired and misused links', async () => {
    const contactId = await makeContact('token@example.com');
    const token = await signToken(t.db.kysely, { workspaceId: ws.id, contactId, purpose: 'unsubscribe' });
    expect((await verifyToken(t.db.kysely, token, 'unsubscribe')).contactId).toBe(contactId);
    const [payload, mac] = token.split('.') as [string, string];
    const otherContact = Buffer.from(JSON.stringify({ w: ws.id, c: '00000000-0000-4000-8000-000000000000', p: 'unsubscribe' })).toString('base64url');
    await expect(verifyToken(t.db.kysely, `${otherContact}.${mac}`, 'unsubscribe')).rejects.toThrow(/signature does not match/);
    // Change the MAC's first character (always a different byte; a fixed suffix could equal the real one).
    const altered = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    await expect(verifyToken(t.db.kysely, `${payload}.${altered}`, 'unsubscribe')).rejects.toThrow(/signature does not match/);
    await expect(verifyToken(t.db.kysely, token, 'preferences')).rejects.toThrow(/this is a unsubscribe link, not a preferences link/);
    await expect(verifyToken(t.db.kysely, 'garbage', 'unsubscribe')).rejects.toThrow(/malformed token/);
    const expired = await signToken(t.db.kysely, { workspaceId: ws.id, contactId, purpose: 'confirm', expiresAt: new Date(Date.now() - 1000) });
    await expect(verifyToken(t.db.kysely, expired, 'confirm')).rejects.toThrow(/expired on/);
  });
});
