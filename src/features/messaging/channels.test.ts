import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { silentLogger } from '../../platform/logger.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { createTopic, findPhoneSuppressions, getConsentState, recordConsent, updatePolicies } from '../consent/index.ts';
import { requestErasure } from '../privacy/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { createMailer, createRetryWorker, evaluateCaps, evaluateThrottle, getMessage, smsKeywordOf, type Mailer, type SendRequest } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let mailer: Mailer;
const actor = cliActor();
const SECRET = 'whsec-test-0123456789abcdefghij';
const INBOUND = 'inbound-secret-0123456789abcdef';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server on 127.0.0.1 that answers with `answer(request)` and keeps what it got. */
async function startServer(answer: (r: Received) => { status: number; body?: string }): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(r);
      const { status, body } = answer(r);
      res.writeHead(status, { 'content-type': 'application/json' }).end(body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What a receiver does: recompute the HMAC of "timestamp.body" and compare in constant time. */
function verifySignature(r: Received, secret: string): boolean {
  const timestamp = String(r.headers['x-keel-timestamp']);
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`);
  const given = Buffer.from(String(r.headers['x-keel-signature']));
  return given.length === expected.length && timingSafeEqual(given, expected) && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300;
}

async function makeContact(email: string, traits: Record<string, unknown> = {}): Promise<string> {
  await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email, ...traits } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const row = await sql<{ id: string }>`select id from contacts where workspace_id = ${ws.id}::uuid and email = ${email}`.execute(t.db.kysely);
  return row.rows[0]!.id;
}

const optIn = (contactId: string, topicKey = 'news') => recordConsent(t.db.kysely, ws.id, [{ contactId, topicKey, status: 'opted_in', source: 'form' }], actor);
const email = (contactId: string, extra: Partial<SendRequest> = {}): SendRequest => ({
  workspaceId: ws.id, contactId, topicKey: 'news', kind: 'marketing', content: { subject: 'News', text: 'Hello' }, ...extra,
});
const statusOf = async (id: string) => (await getMessage(t.db.kysely, ws.id, id)).status;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('channels');
  mailer = createMailer({ publicUrl: 'https://keel.example.com', httpTimeoutMs: 2_000, retry: { baseMs: 1_000, capMs: 60_000, maxAttempts: 3 } });
  await createTopic(t.db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_in', channels: ['email', 'sms'] }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'alerts', name: 'Sales alerts', regime: 'opt_out', channels: ['webhook'] }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'texts', name: 'Texts', regime: 'opt_in', channels: ['sms'] }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'news@acme.example', senderName: 'Acme', postalAddress: '1 Main St, Springfield' }, actor);
});
afterAll(async () => {
  await mailer.close();
  await t.close();
});

describe(`frequency caps, priority and throttling on a controlled clock (${testDatabaseLabel})`, () => {
  it('evaluates caps and the last-slot reservation as pure rules', () => {
    const now = new Date('2026-03-02T12:00:00Z');
    const at = (h: number) => ({ channel: 'email', sent_at: new Date(now.getTime() - h * 3_600_000) });
    const caps = [{ setting: 'email_max_per_day', limit: 3, periodMs: 86_400_000, channels: ['email'] as const }];
    expect(evaluateCaps([at(5), at(2)], caps, 50, 50, now)).toBeNull();
    // Priority 10 may not take the last slot of three; it frees when the oldest ages out.
    expect(evaluateCaps([at(5), at(2)], caps, 10, 50, now)?.notBefore).toEqual(new Date(now.getTime() + 19 * 3_600_000));
    expect(evaluateCaps([at(5), at(2), at(1)], caps, 100, 50, now)?.notBefore).toEqual(new Date(now.getTime() + 19 * 3_600_000));
    // SMS messages do not count against an email cap; a cap of 1 is not reserved.
    expect(evaluateCaps([{ channel: 'sms', sent_at: at(1).sent_at }], caps, 10, 50, now)).toBeNull();
    expect(evaluateCaps([], [{ ...caps[0]!, limit: 1 }], 0, 50, now)).toBeNull();
    expect(evaluateThrottle([new Date(now.getTime() - 1_800_000), new Date(now.getTime() - 600_000)], 2, now)).toEqual(new Date(now.getTime() + 1_800_000));
    expect(evaluateThrottle([new Date(now.getTime() - 4_000_000)], 1, now)).toBeNull();
  });

  it('keeps the last slot of a per-channel cap for a high-priority journey, counts across journeys, exempts transactional', async () => {
    const id = await makeContact('capped@example.com');
    await optIn(id);
    await updatePolicies(t.db.kysely, ws.id, { emailMaxPerDay: 2, capReservePriority: 50 }, actor);
    const now = new Date('2026-03-02T09:00:00Z');
    const low = (stepId: string, at: Date) => email(id, { now: at, journey: { id: 'drip', version: 1, stepId, priority: 10 } });
    expect(await mailer.send(t.db.kysely, low('s1', now))).toMatchObject({ status: 'sent' });
    const deferred = await mailer.send(t.db.kysely, low('s2', new Date(now.getTime() + 60_000)));
    expect(deferred).toEqual({ status: 'deferred', reason: 'frequency_cap', notBefore: new Date(now.getTime() + 86_400_000), detail: expect.stringContaining('reserved for priority >= 50') });
    const high = await mailer.send(t.db.kysely, email(id, { now: new Date(now.getTime() + 120_000), journey: { id: 'onboarding', version: 3, stepId: 'welcome', variant: 'B', priority: 90 } }));
    expect(high).toMatchObject({ status: 'sent' });
    const row = await getMessage(t.db.kysely, ws.id, (high as { messageId: string }).messageId);
    expect(row).toMatchObject({ journey_id: 'onboarding', journey_version: 3, step_id: 'welcome', variant: 'B', journey_priority: 90, status: 'sent', attempts: 1 });
    // Full now, for every priority; transactional messages are exempt; SMS has its own cap.
    expect(await mailer.send(t.db.kysely, email(id, { now: new Date(now.getTime() + 180_000), journey: { id: 'x', version: 1, stepId: 'a', priority: 100 } }))).toMatchObject({ status: 'deferred', reason: 'frequency_cap' });
    expect(await mailer.send(t.db.kysely, email(id, { kind: 'transactional', now: new Date(now.getTime() + 180_000) }))).toMatchObject({ status: 'sent' });
    // A day after the high-priority message, the low one finds two free slots again.
    expect(await mailer.send(t.db.kysely, low('s2', new Date(now.getTime() + 86_400_000 + 120_001)))).toMatchObject({ status: 'sent' });
    await updatePolicies(t.db.kysely, ws.id, { emailMaxPerDay: null }, actor);
  });

  it('throttles a journey to maxPerHour across contacts and versions, deferring to when the hour frees', async () => {
    const a = await makeContact('throttle-a@example.com');
    const b = await makeContact('throttle-b@example.com');
    await optIn(a);
    await optIn(b);
    const now = new Date('2026-03-03T10:00:00Z');
    const step = (contactId: string, minutes: number, version = 1) => email(contactId, { now: new Date(now.getTime() + minutes * 60_000), journey: { id: 'launch', version, stepId: 'e1', maxPerHour: 2 } });
    expect(await mailer.send(t.db.kysely, step(a, 0))).toMatchObject({ status: 'sent' });
    expect(await mailer.send(t.db.kysely, step(b, 10, 2))).toMatchObject({ status: 'sent' });
    expect(await mailer.send(t.db.kysely, step(a, 20))).toEqual({ status: 'deferred', reason: 'throttled', notBefore: new Date(now.getTime() + 3_600_000), detail: expect.any(String) });
    expect(await mailer.send(t.db.kysely, step(a, 61))).toMatchObject({ status: 'sent' });
    // Another journey is not throttled by this one.
    expect(await mailer.send(t.db.kysely, email(b, { now: new Date(now.getTime() + 20 * 60_000), journey: { id: 'other', version: 1, stepId: 'e1', maxPerHour: 2 } }))).toMatchObject({ status: 'sent' });
  });

  it('refuses malformed channel requests with the field named', async () => {
    const id = await makeContact('bad-request@example.com');
    await expect(mailer.send(t.db.kysely, email(id, { channel: 'fax' as never }))).rejects.toMatchObject({ code: 'invalid', details: { field: 'channel' } });
    await expect(mailer.send(t.db.kysely, email(id, { channel: 'sms', content: { text: '' } }))).rejects.toMatchObject({ details: { field: 'content.text' } });
    await expect(mailer.send(t.db.kysely, email(id, { topicKey: 'alerts', channel: 'webhook', content: { url: 'ftp://x.example', payload: {} } }))).rejects.toMatchObject({ details: { field: 'content.url' } });
    await expect(mailer.send(t.db.kysely, email(id, { journey: { id: 'j', version: 0, stepId: 's' } }))).rejects.toMatchObject({ details: { field: 'journey.version' } });
    await expect(mailer.send(t.db.kysely, email(id, { journey: { id: 'j', version: 1, stepId: 's', priority: 101 } }))).rejects.toMatchObject({ details: { field: 'journey.priority' } });
  });
});

describe(`webhooks (${testDatabaseLabel})`, () => {
  it('posts signed JSON that a real receiver verifies, only to allowed hosts and with a secret', async () => {
    const receiver = await startServer((r) => ({ status: verifySignature(r, SECRET) ? 200 : 401 }));
    try {
      const id = await makeContact('hook@example.com');
      const hook = (url: string): SendRequest => ({ workspaceId: ws.id, contactId: id, topicKey: 'alerts', kind: 'transactional', channel: 'webhook', content: { url, payload: { event: 'mql', contact: id, score: 87 } } });
      expect(await mailer.send(t.db.kysely, hook(`${receiver.url}/keel`))).toMatchObject({ status: 'blocked', reason: 'host_not_allowed' });
      await updatePolicies(t.db.kysely, ws.id, { webhookAllowedHosts: ['127.0.0.1'] }, actor);
      expect(await mailer.send(t.db.kysely, hook(`${receiver.url}/keel`))).toMatchObject({ status: 'blocked', reason: 'no_webhook_secret' });
      await updatePolicies(t.db.kysely, ws.id, { webhookSecret: SECRET }, actor);
      const sent = await mailer.send(t.db.kysely, hook(`${receiver.url}/keel`));
      expect(sent).toMatchObject({ status: 'sent', transport: 'webhook' });
      expect(receiver.received).toHaveLength(1);
      const got = receiver.received[0]!;
      expect(got.path).toBe('/keel');
      expect(JSON.parse(got.body)).toEqual({ event: 'mql', contact: id, score: 87 });
      expect(got.headers['x-keel-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(verifySignature(got, SECRET)).toBe(true);
      expect(verifySignature(got, 'another-secret-0123456789abcdef')).toBe(false);
      expect(got.headers['x-keel-message-id']).toBe((sent as { messageId: string }).messageId);
      // Wrong secret on the receiver's side: it answers 401, a 4xx, so the message is dead at once.
      await updatePolicies(t.db.kysely, ws.id, { webhookSecret: 'rotated-secret-0123456789abcdef' }, actor);
      const refused = await mailer.send(t.db.kysely, hook(`${receiver.url}/keel`));
      expect(refused).toMatchObject({ status: 'blocked', reason: 'rejected', detail: expect.stringContaining('answered 401') });
      expect(await statusOf((refused as { messageId: string }).messageId)).toBe('dead');
      await updatePolicies(t.db.kysely, ws.id, { webhookSecret: SECRET }, actor);
    } finally {
      await receiver.close();
    }
  });

  it('retries 5xx and 429 with backoff through the retry worker, dead-letters after the last attempt, and a dead letter can be retried', async () => {
    let answers = [503, 429, 200];
    const receiver = await startServer(() => ({ status: answers.shift() ?? 500 }));
    const worker = createRetryWorker(t.db.kysely, mailer, silentLogger());
    try {
      await updatePolicies(t.db.kysely, ws.id, { webhookAllowedHosts: ['127.0.0.1'], webhookSecret: SECRET }, actor);
      const id = await makeContact('hook-retry@example.com');
      const now = new Date();
      const queued = await mailer.send(t.db.kysely, { workspaceId: ws.id, contactId: id, topicKey: 'alerts', kind: 'transactional', channel: 'webhook', now, content: { url: `${receiver.url}/x`, payload: { n: 1 } } });
      expect(queued).toMatchObject({ status: 'queued', transport: 'webhook', detail: expect.stringContaining('503') });
      const messageId = (queued as { messageId: string }).messageId;
      const first = await getMessage(t.db.kysely, ws.id, messageId);
      expect(first).toMatchObject({ status: 'retrying', attempts: 1 });
      // Backoff with jitter: between half and all of base * 2^0 after the attempt.
      const delay = first.next_attempt_at!.getTime() - now.getTime();
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1_000);
      await worker.runOnce(new Date(now.getTime() + 500)); // not due yet unless jitter chose the minimum
      await worker.runOnce(new Date(now.getTime() + 1_000));
      expect(await getMessage(t.db.kysely, ws.id, messageId)).toMatchObject({ status: 'retrying', attempts: 2, last_error: expect.stringContaining('429') });
      await worker.runOnce(new Date(now.getTime() + 10_000));
      expect(await getMessage(t.db.kysely, ws.id, messageId)).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
      expect(receiver.received).toHaveLength(3);

      answers = [500, 502, 504];
      const doomed = await mailer.send(t.db.kysely, { workspaceId: ws.id, contactId: id, topicKey: 'alerts', kind: 'transactional', channel: 'webhook', now, content: { url: `${receiver.url}/y`, payload: { n: 2 } } });
      const doomedId = (doomed as { messageId: string }).messageId;
      await worker.runOnce(new Date(now.getTime() + 60_000));
      await worker.runOnce(new Date(now.getTime() + 120_000));
      expect(await getMessage(t.db.kysely, ws.id, doomedId)).toMatchObject({ status: 'dead', attempts: 3, last_error: expect.stringContaining('gave up after 3 attempts') });
      const list = await getJson(t.app, '/api/v1/dead-letters?channel=webhook', ws.adminKey.key);
      expect(list.status).toBe(200);
      expect(list.body.data!.map((m) => m.id)).toContain(doomedId);
      expect(list.body.data!.every((m) => m.status === 'dead')).toBe(true);
      answers = [200];
      const res = await t.app.request(`/api/v1/dead-letters/${doomedId}/retry`, { method: 'POST', headers: { authorization: bearer(ws.adminKey.key) } });
      expect(await res.json()).toMatchObject({ status: 'sent', message_id: doomedId });
      expect(await statusOf(doomedId)).toBe('sent');
      const again = await t.app.request(`/api/v1/dead-letters/${doomedId}/retry`, { method: 'POST', headers: { authorization: bearer(ws.adminKey.key) } });
      expect(again.status).toBe(409);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  });

  it('lets two retry rounds run at once without attempting any message twice', async () => {
    const seen = new Map<string, number>();
    const receiver = await startServer((r) => {
      const id = String(r.headers['x-keel-message-id']);
      seen.set(id, (seen.get(id) ?? 0) + 1);
      return { status: seen.get(id) === 1 ? 503 : 200 };
    });
    const other = createMailer({ publicUrl: 'https://keel.example.com', httpTimeoutMs: 2_000, retry: { baseMs: 1_000, capMs: 60_000, maxAttempts: 3 } });
    try {
      await updatePolicies(t.db.kysely, ws.id, { webhookAllowedHosts: ['127.0.0.1'], webhookSecret: SECRET }, actor);
      const id = await makeContact('hook-race@example.com');
      const now = new Date();
      for (let i = 0; i < 6; i += 1) {
        const o = await mailer.send(t.db.kysely, { workspaceId: ws.id, contactId: id, topicKey: 'alerts', kind: 'transactional', channel: 'webhook', now, content: { url: `${receiver.url}/race`, payload: { i } } });
        expect(o.status).toBe('queued');
      }
      const later = new Date(now.getTime() + 30_000);
      const rounds = await Promise.all([mailer.retryDue(t.db.kysely, { now: later }), other.retryDue(t.db.kysely, { now: later })]);
      expect(rounds[0].sent + rounds[1].sent).toBe(6);
      expect([...seen.values()]).toEqual([2, 2, 2, 2, 2, 2]);
    } finally {
      await other.close();
      await receiver.close();
    }
  });

  it('times out a receiver that does not answer and schedules a retry', async () => {
    const hanging = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const quick = createMailer({ publicUrl: 'https://keel.example.com', httpTimeoutMs: 200 });
    try {
      const id = await makeContact('hook-timeout@example.com');
      const url = `http://127.0.0.1:${(hanging.address() as { port: number }).port}/slow`;
      const outcome = await quick.send(t.db.kysely, { workspaceId: ws.id, contactId: id, topicKey: 'alerts', kind: 'transactional', channel: 'webhook', content: { url, payload: {} } });
      expect(outcome).toMatchObject({ status: 'queued', detail: expect.stringContaining('no answer within 200 ms') });
    } finally {
      await quick.close();
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});

describe(`SMS (${testDatabaseLabel})`, () => {
  it('posts the common /Messages form with Basic auth to the provider, retries its 5xx, dead-letters its 4xx', async () => {
    const answers: Array<{ status: number; body?: string }> = [{ status: 201, body: JSON.stringify({ sid: 'SM123', status: 'queued' }) }, { status: 500 }, { status: 400, body: '{"message":"invalid To"}' }];
    const provider = await startServer(() => answers.shift() ?? { status: 500 });
    try {
      const id = await makeContact('sms@example.com', { phone: '+14155550101' });
      await optIn(id, 'texts');
      const text = (extra: Partial<SendRequest> = {}): SendRequest => ({ workspaceId: ws.id, contactId: id, topicKey: 'texts', kind: 'marketing', channel: 'sms', content: { text: 'Your demo is tomorrow' }, ...extra });
      // No provider yet: the outbox keeps the text (the demo works offline).
      expect(await mailer.send(t.db.kysely, text())).toMatchObject({ status: 'sent', transport: 'outbox' });
      await updatePolicies(t.db.kysely, ws.id, { sms: { baseUrl: `${provider.url}/2010-04-01/Accounts/AC1`, account: 'AC1', token: 'tok-secret', from: '+14155550000' } }, actor);
      const sent = await mailer.send(t.db.kysely, text());
      expect(sent).toMatchObject({ status: 'sent', transport: 'sms' });
      const got = provider.received[0]!;
      expect(got.path).toBe('/2010-04-01/Accounts/AC1/Messages');
      expect(got.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(got.headers.authorization).toBe(`Basic ${Buffer.from('AC1:tok-secret').toString('base64')}`);
      const form = new URLSearchParams(got.body);
      expect(Object.fromEntries(form)).toEqual({ To: '+14155550101', From: '+14155550000', Body: 'Your demo is tomorrow\nReply STOP to opt out.' });
      expect(await getMessage(t.db.kysely, ws.id, (sent as { messageId: string }).messageId)).toMatchObject({ provider_message_id: 'SM123', channel: 'sms', to_address: '+14155550101' });
      expect(await mailer.send(t.db.kysely, text())).toMatchObject({ status: 'queued' });
      expect(await mailer.send(t.db.kysely, text())).toMatchObject({ status: 'blocked', reason: 'rejected', detail: expect.stringContaining('400') });
      // A topic that is not sent by SMS, and a contact without a phone.
      expect(await mailer.send(t.db.kysely, text({ topicKey: 'alerts' }))).toMatchObject({ status: 'blocked', reason: 'channel_not_in_topic' });
      const noPhone = await makeContact('no-phone@example.com');
      expect(await mailer.send(t.db.kysely, { ...text(), contactId: noPhone })).toMatchObject({ status: 'blocked', reason: 'no_address' });
    } finally {
      await updatePolicies(t.db.kysely, ws.id, { sms: null }, actor);
      await provider.close();
    }
  });

  it('turns STOP (any case, trimmed) into an SMS opt-out with consent records, START into a re-subscription, and answers HELP', async () => {
    expect(['stop', ' Stop ', 'STOPALL', 'unsubscribe', 'Cancel', 'end', 'QUIT'].map(smsKeywordOf)).toEqual(Array(7).fill('stop'));
    expect(['start', 'UNSTOP', 'help', 'stop please'].map(smsKeywordOf)).toEqual(['start', 'start', 'help', null]);
    await updatePolicies(t.db.kysely, ws.id, { smsInboundSecret: INBOUND }, actor);
    const id = await makeContact('stopper@example.com', { phone: '+14155550199' });
    await optIn(id, 'texts');
    const inbound = (body: string, secret = INBOUND) =>
      t.app.request(`/sms/inbound/${ws.id}/${secret}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ From: '+14155550199', To: '+14155550000', Body: body, MessageSid: 'SMx' }).toString() });
    expect((await inbound('STOP', 'wrong-secret-0123456789abcdefgh')).status).toBe(401);
    const stop = await inbound('  stop ');
    expect(stop.status).toBe(200);
    expect(await stop.text()).toMatch(/<Response><Message>You are unsubscribed from Acme texts/);
    expect((await findPhoneSuppressions(t.db.kysely, ws.id, '+14155550199')).map((s) => [s.scope, s.channel, s.reason])).toEqual([['channel', 'sms', 'unsubscribed']]);
    const texts = (await getConsentState(t.db.kysely, ws.id, id)).find((s) => s.topic.key === 'texts')!;
    expect(texts.current).toMatchObject({ status: 'opted_out', source: 'sms_keyword' });
    const sms: SendRequest = { workspaceId: ws.id, contactId: id, topicKey: 'texts', kind: 'transactional', channel: 'sms', content: { text: 'Your code is 1234' } };
    expect(await mailer.send(t.db.kysely, sms)).toMatchObject({ status: 'blocked', reason: 'suppressed' });
    // Email still goes: the opt-out is of the SMS channel.
    expect(await mailer.send(t.db.kysely, { ...email(id), kind: 'transactional' })).toMatchObject({ status: 'sent' });
    expect(await (await inbound('HELP')).text()).toContain('Reply STOP to unsubscribe');
    expect(await (await inbound('Unstop')).text()).toContain('subscribed to Acme texts again');
    expect(await findPhoneSuppressions(t.db.kysely, ws.id, '+14155550199')).toEqual([]);
    expect((await getConsentState(t.db.kysely, ws.id, id)).find((s) => s.topic.key === 'texts')!.subscribed).toBe(true);
    expect(await mailer.send(t.db.kysely, sms)).toMatchObject({ status: 'sent' });
    expect(await (await inbound('thanks!')).text()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
  });

  it("erases a person's SMS opt-outs with them (they are keyed by the phone number)", async () => {
    await updatePolicies(t.db.kysely, ws.id, { smsInboundSecret: INBOUND }, actor);
    const id = await makeContact('erase-sms@example.com', { phone: '+14155550177' });
    await optIn(id, 'texts');
    const stop = await t.app.request(`/sms/inbound/${ws.id}/${INBOUND}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'From=%2B14155550177&Body=STOP' });
    expect(stop.status).toBe(200);
    expect(await findPhoneSuppressions(t.db.kysely, ws.id, '+14155550177')).toHaveLength(1);
    expect(await requestErasure(t.db.kysely, ws.id, 'erase-sms@example.com', actor)).toMatchObject({ status: 'done' });
    expect(await findPhoneSuppressions(t.db.kysely, ws.id, '+14155550177')).toEqual([]);
  });
});
