import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { addSuppressions, createTopic, recordConsent, replaceWithErasedHash, updatePolicies, updateTopic } from '../consent/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import * as messaging from './index.ts';
import { createMailer, type Mailer, type SendRequest } from './index.ts';
import * as outboxModule from './transports/outbox-transport.ts';
import * as smtpModule from './transports/smtp-transport.ts';
import * as webhookModule from './transports/webhook-transport.ts';
import * as smsModule from './transports/sms-transport.ts';
import * as messageLogModule from './transports/message-log.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let mailer: Mailer;
const actor = cliActor();

async function makeContact(email: string, timezone?: string): Promise<string> {
  await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email, ...(timezone ? { timezone } : {}) } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const row = await sql<{ id: string }>`select id from contacts where workspace_id = ${ws.id}::uuid and email = ${email}`.execute(t.db.kysely);
  return row.rows[0]!.id;
}

const optIn = (contactId: string, topicKey = 'newsletter') => recordConsent(t.db.kysely, ws.id, [{ contactId, topicKey, status: 'opted_in', source: 'form' }], actor);
const request = (contactId: string, extra: Partial<SendRequest> = {}): SendRequest => ({
  workspaceId: ws.id, contactId, topicKey: 'newsletter', kind: 'marketing', content: { subject: 'May news', text: 'Hello there' }, ...extra,
});

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('gate');
  mailer = createMailer({ publicUrl: 'https://keel.example.com' });
  await createTopic(t.db.kysely, ws.id, { key: 'newsletter', name: 'Newsletter', regime: 'opt_in' }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'product', name: 'Product updates', regime: 'opt_out' }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'news@acme.example', senderName: 'Acme', postalAddress: '1 Main St, Springfield' }, actor);
});
afterAll(async () => {
  await mailer.close();
  await t.close();
});

describe(`the send gate (${testDatabaseLabel})`, () => {
  it('sends to the outbox only with a lawful basis, with List-Unsubscribe (RFC 8058) and the postal address', async () => {
    const id = await makeContact('dora@example.com');
    expect(await mailer.send(t.db.kysely, request(id))).toMatchObject({ status: 'blocked', reason: 'no_consent' });
    expect(await mailer.send(t.db.kysely, request(id, { topicKey: 'product' }))).toMatchObject({ status: 'sent', transport: 'outbox' });
    await optIn(id);
    const sent = await mailer.send(t.db.kysely, request(id));
    expect(sent).toMatchObject({ status: 'sent', transport: 'outbox' });
    const message = await messaging.getMessage(t.db.kysely, ws.id, (sent as { messageId: string }).messageId);
    expect(message.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(message.headers['List-Unsubscribe']).toMatch(/^<mailto:unsubscribe@acme\.example\?subject=unsubscribe%20[\w.-]+>, <https:\/\/keel\.example\.com\/u\/[\w-]+\.[\w-]+>$/);
    expect(message.text_body).toContain('1 Main St, Springfield');
    expect(message.from_address).toBe('"Acme" <news@acme.example>');
  });

  it("logs a message under the caller's messageId and refuses a second send with that id", async () => {
    const id = await makeContact('ids@example.com');
    const messageId = '7d0c2a55-61d5-4c6b-9a57-0f5d8b7e1c01';
    expect(await mailer.send(t.db.kysely, request(id, { topicKey: 'product', messageId }))).toMatchObject({ status: 'sent', messageId });
    await expect(mailer.send(t.db.kysely, request(id, { topicKey: 'product', messageId }))).rejects.toMatchObject({ code: 'conflict' });
    await expect(mailer.send(t.db.kysely, request(id, { topicKey: 'product', messageId: 'not-a-uuid' }))).rejects.toMatchObject({ code: 'invalid', details: { field: 'messageId' } });
    const rows = await sql<{ n: number }>`select count(*)::int as n from messages where workspace_id = ${ws.id}::uuid and id = ${messageId}::uuid`.execute(t.db.kysely);
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('blocks suppressed addresses: global, topic, channel, and erased people by their hash', async () => {
    for (const [email, extra] of [
      ['global@example.com', {}],
      ['topic@example.com', { topicKey: 'newsletter' }],
      ['channel@example.com', { channel: 'email' }],
    ] as const) {
      const id = await makeContact(email);
      await optIn(id);
      await addSuppressions(t.db.kysely, ws.id, [{ email, reason: 'manual', ...extra }], actor);
      expect(await mailer.send(t.db.kysely, request(id)), email).toMatchObject({ status: 'blocked', reason: 'suppressed' });
    }
    const erased = await makeContact('erased@example.com');
    await optIn(erased);
    await replaceWithErasedHash(t.db.kysely, ws.id, 'erased@example.com');
    expect(await mailer.send(t.db.kysely, request(erased, { kind: 'transactional' }))).toMatchObject({ status: 'blocked', reason: 'suppressed', detail: expect.stringContaining('erased') });
    // A topic suppression on another topic does not block this one.
    const other = await makeContact('other-topic@example.com');
    await addSuppressions(t.db.kysely, ws.id, [{ email: 'other-topic@example.com', reason: 'manual', topicKey: 'product' }], actor);
    await optIn(other);
    expect(await mailer.send(t.db.kysely, request(other))).toMatchObject({ status: 'sent' });
  });

  it('applies frequency caps (high priority passes) and defers in quiet hours, in the contact time zone', async () => {
    const id = await makeContact('busy@example.com', 'America/New_York');
    await optIn(id);
    await updatePolicies(t.db.kysely, ws.id, { maxPerDay: 2 }, actor);
    expect(await mailer.send(t.db.kysely, request(id))).toMatchObject({ status: 'sent' });
    expect(await mailer.send(t.db.kysely, request(id))).toMatchObject({ status: 'sent' });
    expect(await mailer.send(t.db.kysely, request(id))).toMatchObject({ status: 'deferred', reason: 'frequency_cap', notBefore: expect.any(Date) });
    expect(await mailer.send(t.db.kysely, request(id, { priority: 'high' }))).toMatchObject({ status: 'sent' });
    expect(await mailer.send(t.db.kysely, request(id, { kind: 'transactional' }))).toMatchObject({ status: 'sent' });
    await updatePolicies(t.db.kysely, ws.id, { maxPerDay: null, quietHours: { start: '21:00', end: '08:00', timezone: 'UTC' } }, actor);
    // 03:00 UTC is 22:00 in New York (EST): quiet until 08:00 there, 13:00 UTC.
    const night = new Date('2026-01-15T03:00:00Z');
    expect(await mailer.send(t.db.kysely, request(id, { now: night }))).toEqual({ status: 'deferred', reason: 'quiet_hours', notBefore: new Date('2026-01-15T13:00:00Z'), detail: expect.any(String) });
    expect(await mailer.send(t.db.kysely, request(id, { now: new Date('2026-01-15T18:00:00Z') }))).toMatchObject({ status: 'sent' });
    await updatePolicies(t.db.kysely, ws.id, { quietHours: null }, actor);
  });

  it('refuses marketing without a postal address, and bad requests with clear errors', async () => {
    const id = await makeContact('nopostal@example.com');
    await optIn(id);
    await updatePolicies(t.db.kysely, ws.id, { postalAddress: null }, actor);
    expect(await mailer.send(t.db.kysely, request(id))).toMatchObject({ status: 'blocked', reason: 'no_postal_address' });
    await updatePolicies(t.db.kysely, ws.id, { postalAddress: '1 Main St, Springfield' }, actor);
    await expect(mailer.send(t.db.kysely, request(id, { topicKey: 'nope' }))).rejects.toThrow(/Unknown topic "nope"/);
    await expect(mailer.send(t.db.kysely, request(id, { content: { subject: 'a\r\nBcc: x@evil.example', text: 'x' } }))).rejects.toThrow(/content.subject must be one line/);
    await expect(mailer.send(t.db.kysely, request(id, { kind: 'spam' as never }))).rejects.toThrow(/kind must be "marketing" or "transactional"/);
  });

  it('sends through a real SMTP relay (pooled nodemailer), parsed back with mailparser', async () => {
    const received: ParsedMail[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, _session, callback) {
        simpleParser(stream).then((mail) => received.push(mail)).then(() => callback(), callback);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as { port: number }).port;
    const smtpMailer = createMailer({ publicUrl: 'https://keel.example.com', smtpUrl: `smtp://127.0.0.1:${port}` });
    try {
      const id = await makeContact('smtp@example.com');
      await optIn(id);
      const outcome = await smtpMailer.send(t.db.kysely, request(id, { content: { subject: 'Über news', text: 'Hello', html: '<html><body><p>Hello</p></body></html>' } }));
      expect(outcome).toMatchObject({ status: 'sent', transport: 'smtp' });
      expect(received).toHaveLength(1);
      const mail = received[0]!;
      expect(mail.subject).toBe('Über news');
      expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('smtp@example.com');
      const line = (key: string) => mail.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, ' ');
      expect(line('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
      expect(line('list-unsubscribe')).toMatch(/^List-Unsubscribe: <mailto:unsubscribe@acme\.example\?subject=[^>]+>, <https:\/\/keel\.example\.com\/u\/[\w.-]+>$/);
      expect(mail.html).toContain('Unsubscribe</a>');
      // Blocked messages never reach the relay.
      const blocked = await makeContact('smtp-blocked@example.com');
      expect(await smtpMailer.send(t.db.kysely, request(blocked))).toMatchObject({ status: 'blocked' });
      expect(received).toHaveLength(1);
    } finally {
      await smtpMailer.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

const SRC = join(import.meta.dirname, '..', '..');
const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []));
const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]!);

describe('no path to a transport around the gate', () => {
  it('does not export any transport or their delivery from the feature index', () => {
    const forbidden = new Set<unknown>([outboxModule, smtpModule, webhookModule, smsModule, messageLogModule].flatMap((m) => Object.values(m)));
    for (const [name, value] of Object.entries(messaging)) expect(forbidden.has(value), `index.ts exports transport ${name}`).toBe(false);
    expect(Object.keys(messaging).filter((k) => /transport|deliver|insertMessage/i.test(k))).toEqual([]);
  });

  it('lets only send-gate.ts import transports, and only transports write the message log', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const rel = relative(SRC, file);
      const inMessaging = rel.startsWith(join('features', 'messaging'));
      for (const spec of importsOf(file)) {
        if (!inMessaging && spec.includes('messaging/')) expect(spec, `${rel} imports ${spec}`).toMatch(/messaging\/index\.ts$/);
        if (spec.includes('transports/') && !rel.includes('transports')) expect(rel, `${rel} imports ${spec}`).toBe(join('features', 'messaging', 'send-gate.ts'));
      }
      if (/\binsertMessage\b/.test(readFileSync(file, 'utf8')) && !rel.endsWith('messages.queries.ts')) expect(rel, `${rel} writes messages`).toContain('transports');
    }
  });
});

describe(`the send gate's settings cache (${testDatabaseLabel})`, () => {
  it('applies a change of policies or topics made in this process to the very next send', async () => {
    const other = await t.workspace('gate-cache');
    await createTopic(t.db.kysely, other.id, { key: 'offers', name: 'Offers', regime: 'opt_out' }, actor);
    await updatePolicies(t.db.kysely, other.id, { senderEmail: 'news@cache.example', postalAddress: '2 Cache Rd' }, actor);
    await postIngest(t.app, '/v1/identify', { userId: 'u-cache', traits: { email: 'cache@example.com' } }, { authorization: basicAuth(other.writeKey.key) });
    await t.drain();
    const contactId = (await sql<{ id: string }>`select id from contacts where workspace_id = ${other.id}::uuid`.execute(t.db.kysely)).rows[0]!.id;
    const send = (topicKey = 'offers') => mailer.send(t.db.kysely, { ...request(contactId), workspaceId: other.id, topicKey });
    expect(await send()).toMatchObject({ status: 'sent' });
    await updatePolicies(t.db.kysely, other.id, { postalAddress: null }, actor);
    expect(await send()).toMatchObject({ status: 'blocked', reason: 'no_postal_address' });
    await updatePolicies(t.db.kysely, other.id, { postalAddress: '3 Cache Rd' }, actor);
    await updateTopic(t.db.kysely, other.id, 'offers', { channels: ['sms'] }, actor);
    expect(await send()).toMatchObject({ status: 'blocked', reason: 'channel_not_in_topic' });
    await expect(send('events')).rejects.toMatchObject({ code: 'not_found' });
    await createTopic(t.db.kysely, other.id, { key: 'events', name: 'Events', regime: 'opt_out' }, actor);
    const sent = await send('events');
    expect(sent).toMatchObject({ status: 'sent' });
    const row = await messaging.getMessage(t.db.kysely, other.id, (sent as { messageId: string }).messageId);
    expect(row.text_body).toContain('3 Cache Rd');
  });
});
