import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { createTopic, findSuppressionsFor, getConsentHistory, isSubscribed, recordConsent, updatePolicies } from '../consent/index.ts';
import { getMessage } from '../messaging/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const actor = cliActor();
const form = (body: Record<string, string | string[]>) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
  return { method: 'POST', body: params.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TestBrowser/1.0', 'x-forwarded-for': '198.51.100.7' } };
};
const api = (path: string, body: unknown) =>
  t.app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });

async function makeContact(email: string): Promise<string> {
  await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const row = await sql<{ id: string }>`select id from contacts where workspace_id = ${ws.id}::uuid and email = ${email}`.execute(t.db.kysely);
  return row.rows[0]!.id;
}

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('preferences');
  await createTopic(t.db.kysely, ws.id, { key: 'newsletter', name: 'Newsletter', regime: 'opt_in', doubleOptIn: true }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'events', name: 'Events', regime: 'opt_in', channels: ['email', 'sms'] }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'hello@acme.example', postalAddress: '1 Main St', pageTexts: { preferences_title: 'Acme: what you get from us' } }, actor);
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`double opt-in (${testDatabaseLabel})`, () => {
  it('records pending, mails a signed link through the gate, and confirms with IP and user agent', async () => {
    const id = await makeContact('eve@example.com');
    const res = await api('/api/v1/subscriptions', { contact_id: id, topic: 'newsletter', consent_text: 'Yes, send me the newsletter' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { status: string; confirmation: { status: string; message_id: string } };
    expect(body.status).toBe('pending');
    expect(body.confirmation.status).toBe('sent');
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(false);
    const mail = await getMessage(t.db.kysely, ws.id, body.confirmation.message_id);
    expect(mail.kind).toBe('transactional');
    const link = /http:\/\/localhost:3000(\/c\/[\w.-]+)/.exec(mail.text_body)![1]!;
    // GET only shows a button (mail scanners follow links); the POST confirms.
    const page = await t.app.request(link);
    expect(await page.text()).toContain('<form method="post"');
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(false);
    const confirmed = await t.app.request(link, form({}));
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Thank you');
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(true);
    const [latest] = await getConsentHistory(t.db.kysely, ws.id, id);
    expect(latest).toMatchObject({ status: 'opted_in', source: 'double_opt_in', ip: '198.51.100.7', user_agent: 'TestBrowser/1.0', consent_text: 'Yes, send me the newsletter' });
    // A forged link is a clear 400 page, not a confirmation.
    const forged = await t.app.request(`${link.slice(0, -4)}AAAA`, form({}));
    expect(forged.status).toBe(400);
    expect(await forged.text()).toContain('signature does not match');
  });
});

describe(`one-click unsubscribe and the preference centre (${testDatabaseLabel})`, () => {
  it('unsubscribes at once on the RFC 8058 POST of the List-Unsubscribe link', async () => {
    const id = await makeContact('frank@example.com');
    await recordConsent(t.db.kysely, ws.id, [{ contactId: id, topicKey: 'events', status: 'opted_in', source: 'form' }], actor);
    const sent = await api('/api/v1/messages', { contact_id: id, topic: 'events', kind: 'marketing', subject: 'Meetup', text: 'Come' });
    const { message_id } = (await sent.json()) as { message_id: string };
    const header = (await getMessage(t.db.kysely, ws.id, message_id)).headers['List-Unsubscribe']!;
    const url = new URL(/<(http[^>]+)>/.exec(header)![1]!);
    const res = await t.app.request(url.pathname, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(200);
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'events')).toBe(false);
    const again = await api('/api/v1/messages', { contact_id: id, topic: 'events', kind: 'marketing', subject: 'Meetup', text: 'Come' });
    expect(await again.json()).toMatchObject({ status: 'blocked', reason: 'no_consent' });
  });

  it('shows topics and channels, saves the form without JavaScript, and unsubscribes from all', async () => {
    const id = await makeContact('gina@example.com');
    const links = await t.app.request(`/api/v1/contacts/${id}/links`, { headers: { authorization: bearer(ws.adminKey.key) } });
    const prefs = new URL(((await links.json()) as { preferences_url: string }).preferences_url).pathname;
    const page = await (await t.app.request(prefs)).text();
    expect(page).toContain('Acme: what you get from us');
    expect(page).toContain('value="newsletter"');
    expect(page).not.toContain('<script');
    const saved = await t.app.request(prefs, form({ topic: ['newsletter', 'events'], channel: 'email', action: 'save' }));
    expect(await saved.text()).toContain('Your preferences are saved.');
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(true);
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'events')).toBe(true);
    // sms unchecked: a channel suppression from the preference centre.
    expect((await findSuppressionsFor(t.db.kysely, ws.id, 'gina@example.com')).map((s) => [s.scope, s.channel, s.source])).toEqual([['channel', 'sms', 'preference_centre']]);
    await t.app.request(prefs, form({ topic: ['events'], channel: ['email', 'sms'], action: 'save' }));
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'newsletter')).toBe(false);
    expect(await findSuppressionsFor(t.db.kysely, ws.id, 'gina@example.com')).toEqual([]);
    await t.app.request(prefs, form({ topic: ['events'], action: 'unsubscribe_all' }));
    expect(await isSubscribed(t.db.kysely, ws.id, id, 'events')).toBe(false);
    const history = await getConsentHistory(t.db.kysely, ws.id, id);
    expect(history[0]).toMatchObject({ source: 'preference_centre', status: 'opted_out', ip: '198.51.100.7' });
    // The unsubscribe token is not a preference token.
    const bad = await t.app.request('/p/not-a-token');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('text/html');
  });
});
