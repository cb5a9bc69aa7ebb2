import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { addSuppressions, createTopic, recordConsent, updatePolicies } from '../consent/index.ts';
import { takeHealthSnapshot } from '../data-health/index.ts';
import { applyTrackingPlan } from '../tracking-plan/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { silentLogger } from '../../platform/logger.ts';
import { applyRetention, createPrivacyWorker, exportPersonalData, requestErasure, retryFailedErasures } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const actor = cliActor();
const EMAIL = 'zebediah.quaxworth@example.org';
// Every value that belongs to the person; each must vanish from the whole database.
const PERSONAL = [EMAIL, 'Zebediah', 'Quaxworth', '+44 20 7946 0958', 'zed-user-17', 'zed-anon-1', 'zed-anon-2', '203.0.113.77', 'ZedAgent/9', 'Zed agrees to the Quax newsletter', 'zed-secret-trait', 'zed-order-991', 'https://example.com/zed-private', 'Zedland-Quax'];

const ingest = (path: string, body: unknown) => postIngest(t.app, path, body, { authorization: basicAuth(ws.writeKey.key) });
const context = { ip: '203.0.113.77', userAgent: 'ZedAgent/9' };

async function contactIdOf(email: string): Promise<string | undefined> {
  const row = await sql<{ id: string }>`select id from contacts where workspace_id = ${ws.id}::uuid and lower(email) = ${email}`.execute(t.db.kysely);
  return row.rows[0]?.id;
}

/** The person in every table that can hold them. */
async function seedPerson(): Promise<void> {
  await ingest('/v1/identify', { anonymousId: 'zed-anon-1', traits: { email: EMAIL, firstName: 'Zebediah', lastName: 'Quaxworth', phone: '+44 20 7946 0958', secret: 'zed-secret-trait' }, context });
  await t.drain();
  await ingest('/v1/page', { anonymousId: 'zed-anon-2', properties: { url: 'https://example.com/zed-private' }, context });
  await t.drain();
  await ingest('/v1/identify', { anonymousId: 'zed-anon-2', userId: 'zed-user-17', traits: { email: EMAIL }, context }); // merges the two contacts
  await ingest('/v1/identify', { userId: 'zed-user-17', traits: { country: 'Zedland-Quax' } }); // invalid: a validation issue quoting it
  await ingest('/v1/group', { userId: 'zed-user-17', groupId: 'quax-co', traits: { name: 'Quax Co' } });
  await ingest('/v1/track', { userId: 'zed-user-17', event: 'Order Completed', properties: { order: 'zed-order-991' }, context });
  await t.drain();
  await ingest('/v1/identify', { userId: 'zed-other-user', traits: { email: EMAIL } }); // two userIds: an identity conflict
  await ingest('/v1/track', { userId: 'zed-user-17', event: '', properties: { order: 'zed-order-991' } }); // rejected
  await t.drain();
  const id = (await contactIdOf(EMAIL))!;
  await recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'news', status: 'opted_in', source: 'form', ip: '203.0.113.77', userAgent: 'ZedAgent/9', consentText: 'Zed agrees to the Quax newsletter' }], actor);
  await addSuppressions(t.db.kysely, ws.id, [{ email: EMAIL, reason: 'manual', topicKey: 'news', note: 'Zebediah asked by phone' }], actor);
  const sent = await t.mailer.send(t.db.kysely, { workspaceId: ws.id, contactId: id, topicKey: 'offers', kind: 'marketing', content: { subject: 'Hi Zebediah', text: 'Your order zed-order-991' } });
  expect(sent.status).toBe('sent');
  await takeHealthSnapshot(t.db.kysely, ws.id); // its worst offenders name the person
  // Not yet processed: one request holding the person's event and someone else's.
  await ingest('/v1/batch', { batch: [
    { type: 'track', userId: 'zed-user-17', event: 'Late Event', properties: { note: 'Zebediah again' } },
    { type: 'identify', userId: 'bystander-1', traits: { email: 'bystander@example.org' } },
  ] });
}

/** Every row of every table of the schema, as text. */
async function dumpDatabase(): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(t.db.kysely);
  expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['contacts', 'events', 'ingest_inbox', 'rejected_events', 'contact_merges', 'identity_conflicts', 'consent_records', 'suppressions', 'messages', 'audit_log', 'privacy_requests']));
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(t.db.kysely);
    parts.push(...rows.rows.map((r) => `${table_name}: ${r.row}`));
  }
  return parts.join('\n');
}

const hitsOf = (dump: string) => PERSONAL.filter((v) => dump.toLowerCase().includes(v.toLowerCase()));

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('privacy');
  await createTopic(t.db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_in' }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'offers', name: 'Offers', regime: 'opt_out' }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'hello@quax.example', postalAddress: '9 Harbour Road' }, actor);
  // Flags every order id that is not "standard": the violation quotes the person's value.
  await applyTrackingPlan(t.db.kysely, ws.id, 'events:\n  - name: Order Completed\n    properties:\n      order: { type: string, enum: [standard] }\n', actor);
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`privacy requests (${testDatabaseLabel})`, () => {
  it('erases a person from every table: the dump of the whole database has zero hits', async () => {
    await seedPerson();
    const before = await dumpDatabase();
    expect(hitsOf(before)).toEqual(PERSONAL); // positive control: each value was there
    const tablesHolding = new Set(before.split('\n').filter((l) => hitsOf(l).length > 0).map((l) => l.split(':')[0]));
    expect([...tablesHolding].sort()).toEqual(['consent_records', 'contact_merges', 'contacts', 'events', 'field_validation_issues', 'identities', 'identity_conflicts', 'ingest_inbox', 'messages', 'rejected_events', 'suppressions', 'tracking_plan_violations']);

    const done = await requestErasure(t.db.kysely, ws.id, EMAIL.toUpperCase(), actor);
    expect(done).toMatchObject({ status: 'done', attempts: 1, last_error: null });
    const after = await dumpDatabase();
    expect(hitsOf(after)).toEqual([]);
    expect(after).toContain('bystander@example.org'); // someone else's event in the same inbox row stays
    expect(after).toMatch(/suppressions: .*erased/);
  });

  it('never re-creates an erased person through a later ingest, and the gate never mails them', async () => {
    await ingest('/v1/identify', { userId: 'zed-returns', traits: { email: EMAIL, firstName: 'Zebediah' } });
    await t.drain();
    expect(await contactIdOf(EMAIL)).toBeUndefined();
    expect(hitsOf(await dumpDatabase())).toEqual([]);
  });

  it('exports everything held on a person as JSON and CSV sections, and audits it', async () => {
    await ingest('/v1/identify', { userId: 'yara-1', traits: { email: 'yara@example.org', firstName: 'Yara', country: 'Yaraland' }, context });
    await ingest('/v1/track', { userId: 'yara-1', event: 'Signed Up', properties: { plan: 'pro' } });
    await t.drain();
    const data = await exportPersonalData(t.db.kysely, ws.id, 'yara@example.org', actor);
    expect(Object.keys(data.sections)).toEqual(['contacts', 'identities', 'accounts', 'events', 'consent_history', 'suppressions', 'messages', 'merges', 'identity_conflicts', 'rejected_events', 'scores', 'segment_history', 'stage_history', 'validation_issues']);
    expect(data.sections.validation_issues!.map((i) => [i.field, i.value])).toEqual([['country', 'Yaraland']]);
    expect(data.sections.contacts![0]).toMatchObject({ email: 'yara@example.org', first_name: 'Yara' });
    expect(data.sections.events!.map((e) => e.name ?? e.type)).toEqual(['identify', 'Signed Up']);
    const res = await t.app.request('/api/v1/privacy/export?format=csv&section=events', {
      method: 'POST', body: JSON.stringify({ email: 'yara@example.org' }), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' },
    });
    expect(res.headers.get('content-type')).toContain('text/csv');
    const csv = await res.text();
    expect(csv.split('\r\n')[0]).toMatch(/^id,message_id,type,name,/);
    expect(csv).toContain('Signed Up');
    const audit = await t.app.request('/api/v1/audit-log?action=privacy.exported&limit=1', { headers: { authorization: bearer(ws.adminKey.key) } });
    const page = (await audit.json()) as { data: Array<{ actor_kind: string; details: { sections: Record<string, number> } }>; next_cursor: string | null };
    expect(page.data[0]!.details.sections.events).toBe(2);
    expect(page.next_cursor).not.toBeNull();
    const bad = await t.app.request('/api/v1/privacy/export', { method: 'POST', body: JSON.stringify({ email: 'not an email' }), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('email must be an email address, got \\"not an email\\"');
  });

  it('leaves a failed erasure marked failed with nothing half done, and retries it', async () => {
    await ingest('/v1/identify', { userId: 'xena-1', traits: { email: 'xena@example.org', firstName: 'Xenia' } });
    await t.drain();
    // A real database failure in the middle of the erasure: contacts refuse deletes for now.
    await sql`create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'disk on fire'; end $$`.execute(t.db.kysely);
    await sql`create trigger refuse_contact_delete before delete on contacts for each row execute function refuse_delete()`.execute(t.db.kysely);
    const failed = await requestErasure(t.db.kysely, ws.id, 'xena@example.org', actor);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_error: expect.stringContaining('disk on fire') });
    const events = await sql<{ n: number }>`select count(*)::int as n from events where workspace_id = ${ws.id}::uuid and user_id = 'xena-1'`.execute(t.db.kysely);
    expect(events.rows[0]!.n).toBe(1); // rolled back: not half erased
    await sql`drop trigger refuse_contact_delete on contacts`.execute(t.db.kysely);
    await sql`drop function refuse_delete()`.execute(t.db.kysely);
    expect(await retryFailedErasures(t.db.kysely, actor, new Date(Date.now() + 120_000))).toBe(1);
    const listed = await t.app.request(`/api/v1/privacy/requests/${failed.id}`, { headers: { authorization: bearer(ws.adminKey.key) } });
    expect(await listed.json()).toMatchObject({ status: 'done', attempts: 2, last_error: null });
    expect(await contactIdOf('xena@example.org')).toBeUndefined();
  });

  it('applies retention: old events deleted, or anonymized', async () => {
    const old = new Date(Date.now() - 400 * 86_400_000).toISOString();
    await ingest('/v1/track', { userId: 'wim-1', event: 'Old Visit', timestamp: old, properties: { secret: 'wim-old' }, context });
    await ingest('/v1/track', { userId: 'wim-1', event: 'Old Click', timestamp: old, properties: { secret: 'wim-old-2' } });
    await ingest('/v1/track', { userId: 'wim-1', event: 'New Visit', properties: { secret: 'wim-new' } });
    await t.drain();
    const names = async () => (await sql<{ name: string; user_id: string | null; properties: unknown }>`select name, user_id, properties from events where workspace_id = ${ws.id}::uuid and name like '% Visit' or name = 'Old Click' order by name`.execute(t.db.kysely)).rows;
    await updatePolicies(t.db.kysely, ws.id, { retentionDays: 365, retentionMode: 'anonymize' }, actor);
    expect(await applyRetention(t.db.kysely, ws.id, actor)).toMatchObject({ mode: 'anonymize', events: 2 });
    expect(await names()).toEqual([
      { name: 'New Visit', user_id: 'wim-1', properties: { secret: 'wim-new' } },
      { name: 'Old Click', user_id: null, properties: {} },
      { name: 'Old Visit', user_id: null, properties: {} },
    ]);
    await updatePolicies(t.db.kysely, ws.id, { retentionMode: 'delete' }, actor);
    const run = await t.app.request('/api/v1/privacy/retention/run', { method: 'POST', headers: { authorization: bearer(ws.adminKey.key) } });
    expect(await run.json()).toMatchObject({ applied: true, mode: 'delete' });
    expect((await names()).map((r) => r.name)).toEqual(['New Visit']);
    // The worker role's scheduled round does the same for every workspace.
    await ingest('/v1/track', { userId: 'wim-1', event: 'Old Click', timestamp: old });
    await t.drain();
    await createPrivacyWorker(t.db.kysely, silentLogger()).runOnce();
    expect((await names()).map((r) => r.name)).toEqual(['New Visit']);
  });
});
