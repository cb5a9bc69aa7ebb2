import { generateKeyPairSync } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { silentLogger } from '../../platform/logger.ts';
import { basicAuth, bearer, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { createTopic, findSuppressionsFor, updatePolicies } from '../consent/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { createMailer, createRetryWorker, getMessage, type Mailer, type SendRequest } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let mailer: Mailer;
let server: SMTPServer;
const received: ParsedMail[] = [];
/** How many more times a soft-bouncing recipient answers 451 before accepting. */
const softFailures = new Map<string, number>();
const actor = cliActor();

async function makeContact(email: string): Promise<string> {
  await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const row = await sql<{ id: string }>`select id from contacts where workspace_id = ${ws.id}::uuid and email = ${email}`.execute(t.db.kysely);
  return row.rows[0]!.id;
}

const send = (contactId: string, extra: Partial<SendRequest> = {}): SendRequest => ({
  workspaceId: ws.id, contactId, topicKey: 'news', kind: 'marketing', content: { subject: 'Hello from Acme', text: 'Hi there', html: '<p>Hi there</p>' }, ...extra,
});

const eventsOf = async (contactId: string) =>
  (await sql<{ name: string; properties: Record<string, unknown> }>`select name, properties from events where workspace_id = ${ws.id}::uuid and contact_id = ${contactId}::uuid and type = 'track' order by id`.execute(t.db.kysely)).rows;

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

beforeAll(async () => {
  // A real SMTP server: 550 for hard-*, 451 for soft-* (as many times as softFailures says), else accepts.
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      const to = address.address;
      if (to.startsWith('hard')) return callback(smtpError(550, '5.1.1 No such user here'));
      const left = softFailures.get(to) ?? 0;
      if (to.startsWith('soft') && left > 0) {
        softFailures.set(to, left - 1);
        return callback(smtpError(451, '4.7.1 Greylisted, try again later'));
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => received.push(mail)).then(() => callback(), callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  t = await createTestApp();
  ws = await t.workspace('smtp');
  mailer = createMailer({ publicUrl: 'https://keel.example.com', retry: { baseMs: 1_000, capMs: 30_000, maxAttempts: 3 } });
  await createTopic(t.db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_out' }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'news@acme.example', senderName: 'Acme', postalAddress: '1 Main St, Springfield', smtpUrl: `smtp://127.0.0.1:${port}` }, actor);
});
afterAll(async () => {
  await mailer.close();
  await t.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe(`SMTP delivery to a real server (${testDatabaseLabel})`, () => {
  it('signs with DKIM when the workspace holds a key, checked on save', async () => {
    await expect(updatePolicies(t.db.kysely, ws.id, { dkim: { domain: 'acme.example', selector: 'keel', privateKey: 'not a key' } }, actor)).rejects.toMatchObject({ code: 'invalid', details: { field: 'dkim.privateKey' } });
    await expect(updatePolicies(t.db.kysely, ws.id, { dkim: { domain: 'acme example', selector: 'keel', privateKey: 'x' } }, actor)).rejects.toMatchObject({ details: { field: 'dkim.domain' } });
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(updatePolicies(t.db.kysely, ws.id, { dkim: { domain: 'acme.example', selector: 'keel', privateKey: ed25519 } }, actor)).rejects.toThrow(/must be an RSA key of at least 1024 bits/);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const shown = await updatePolicies(t.db.kysely, ws.id, { dkim: { domain: 'acme.example', selector: 'keel2026', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }, actor);
    expect(shown).toMatchObject({ dkim_domain: 'acme.example', dkim_selector: 'keel2026', dkim_private_key_set: true });
    expect(JSON.stringify(shown)).not.toContain('PRIVATE KEY');
    const id = await makeContact('signed@example.com');
    const before = received.length;
    expect(await mailer.send(t.db.kysely, send(id))).toMatchObject({ status: 'sent', transport: 'smtp' });
    const mail = received[before]!;
    const dkim = mail.headerLines.find((h) => h.key === 'dkim-signature')?.line.replace(/\r?\n\s+/g, ' ');
    expect(dkim).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=acme\.example; q=dns\/txt; s=keel2026;/);
    expect(dkim).toMatch(/bh=[A-Za-z0-9+/=]+; h=[^;]*From[^;]*; b=[A-Za-z0-9+/= ]+$/i);
    await updatePolicies(t.db.kysely, ws.id, { dkim: null }, actor);
    const unsigned = received.length;
    await mailer.send(t.db.kysely, send(id, { kind: 'transactional' }));
    expect(received[unsigned]!.headerLines.some((h) => h.key === 'dkim-signature')).toBe(false);
  });

  it('turns a 550 on the recipient into a hard bounce: suppression, an Email Bounced event, nothing sent again', async () => {
    const id = await makeContact('hard-bounce@example.com');
    const before = received.length;
    const outcome = await mailer.send(t.db.kysely, send(id, { journey: { id: 'nurture', version: 2, stepId: 'email-1', variant: 'A' } }));
    expect(outcome).toMatchObject({ status: 'blocked', reason: 'bounced', detail: expect.stringContaining('550') });
    const messageId = (outcome as { messageId: string }).messageId;
    expect(await getMessage(t.db.kysely, ws.id, messageId)).toMatchObject({ status: 'bounced', attempts: 1, journey_id: 'nurture' });
    const suppressions = await findSuppressionsFor(t.db.kysely, ws.id, 'hard-bounce@example.com');
    expect(suppressions.map((s) => [s.scope, s.channel, s.reason, s.source])).toEqual([['channel', 'email', 'hard_bounce', 'smtp']]);
    expect(await eventsOf(id)).toEqual([{ name: 'Email Bounced', properties: expect.objectContaining({ type: 'hard', message_id: messageId, journey_id: 'nurture', step_id: 'email-1', variant: 'A', diagnostic: expect.stringContaining('550') }) }]);
    expect(await mailer.send(t.db.kysely, send(id))).toMatchObject({ status: 'blocked', reason: 'suppressed', detail: 'suppressed (channel, hard_bounce)' });
    expect(received.length).toBe(before);
  });

  it('retries a 451 with backoff through the worker until accepted, and dead-letters a recipient that never is', async () => {
    const id = await makeContact('soft-once@example.com');
    softFailures.set('soft-once@example.com', 2);
    const now = new Date();
    const queued = await mailer.send(t.db.kysely, send(id, { now }));
    expect(queued).toMatchObject({ status: 'queued', transport: 'smtp', detail: expect.stringContaining('451') });
    const messageId = (queued as { messageId: string }).messageId;
    expect(await getMessage(t.db.kysely, ws.id, messageId)).toMatchObject({ status: 'retrying', attempts: 1 });
    const worker = createRetryWorker(t.db.kysely, mailer, silentLogger());
    await worker.runOnce(new Date(now.getTime() + 1_000));
    expect(await getMessage(t.db.kysely, ws.id, messageId)).toMatchObject({ status: 'retrying', attempts: 2 });
    await worker.runOnce(new Date(now.getTime() + 3_000));
    expect(await getMessage(t.db.kysely, ws.id, messageId)).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    expect(received.filter((m) => m.subject === 'Hello from Acme' && m.to && 'text' in m.to && m.to.text === 'soft-once@example.com')).toHaveLength(1);
    expect(await eventsOf(id)).toEqual([]);

    const never = await makeContact('soft-forever@example.com');
    softFailures.set('soft-forever@example.com', 100);
    const doomed = await mailer.send(t.db.kysely, send(never, { now }));
    const doomedId = (doomed as { messageId: string }).messageId;
    await worker.runOnce(new Date(now.getTime() + 60_000));
    await worker.runOnce(new Date(now.getTime() + 120_000));
    await worker.stop();
    expect(await getMessage(t.db.kysely, ws.id, doomedId)).toMatchObject({ status: 'dead', attempts: 3, last_error: expect.stringContaining('gave up after 3 attempts') });
    expect(await findSuppressionsFor(t.db.kysely, ws.id, 'soft-forever@example.com')).toEqual([]);
  });

  it('records bounces and complaints reported later by an ESP (POST /api/v1/bounces)', async () => {
    const id = await makeContact('later@example.com');
    const sent = await mailer.send(t.db.kysely, send(id));
    const messageId = (sent as { messageId: string }).messageId;
    const post = (body: unknown) => t.app.request('/api/v1/bounces', { method: 'POST', headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = await post({ email: 'later@example.com', type: 'bounce' });
    expect(bad.status).toBe(400);
    expect((await post({ email: 'later@example.com', type: 'hard', extra: 1 })).status).toBe(400);
    const soft = await post({ email: 'later@example.com', type: 'soft', message_id: messageId, diagnostic: '452 mailbox full' });
    expect(await soft.json()).toMatchObject({ suppressed: false, contact_ids: [id], message_id: messageId, events: 1 });
    expect(await findSuppressionsFor(t.db.kysely, ws.id, 'later@example.com')).toEqual([]);
    const complaint = { email: 'Later@Example.com', type: 'complaint', message_id: messageId, event_id: 'esp-evt-1' };
    expect(await (await post(complaint)).json()).toMatchObject({ suppressed: true, events: 1 });
    expect(await (await post(complaint)).json()).toMatchObject({ suppressed: true, events: 0 });
    expect((await findSuppressionsFor(t.db.kysely, ws.id, 'later@example.com')).map((s) => [s.channel, s.reason, s.source])).toEqual([['email', 'complaint', 'esp_webhook']]);
    expect((await eventsOf(id)).map((e) => [e.name, e.properties.type ?? null])).toEqual([['Email Bounced', 'soft'], ['Email Complained', null]]);
    expect(await mailer.send(t.db.kysely, send(id))).toMatchObject({ status: 'blocked', reason: 'suppressed' });
  });
});
