import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { addSuppressions, createTopic, findSuppressionsFor, recordConsent, updatePolicies } from '../consent/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { createMailer, getMessage, type Mailer, type SendRequest } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let mailer: Mailer;
let server: SMTPServer;
const received: ParsedMail[] = [];
const actor = cliActor();
let n = 0;

async function makeContacts(count: number, prefix = 'batch'): Promise<string[]> {
  const emails = Array.from({ length: count }, () => `${prefix}-${(n += 1)}@example.com`);
  for (const email of emails) await postIngest(t.app, '/v1/identify', { userId: `u-${email}`, traits: { email } }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const rows = await sql<{ id: string; email: string }>`select id, email from contacts where workspace_id = ${ws.id}::uuid and email in (${sql.join(emails)})`.execute(t.db.kysely);
  return emails.map((e) => rows.rows.find((r) => r.email === e)!.id);
}

const emailOf = async (id: string) => (await sql<{ email: string }>`select email from contacts where id = ${id}::uuid`.execute(t.db.kysely)).rows[0]!.email;

const send = (contactId: string, extra: Partial<SendRequest> = {}): SendRequest => ({
  workspaceId: ws.id, contactId, topicKey: 'news', kind: 'marketing', content: { subject: 'Batch news', text: 'Hi there', html: '<html><body><p>Hi there</p></body></html>' }, ...extra,
});
const to = (m: ParsedMail) => (m.to && 'text' in m.to ? m.to.text : '');

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('hard')) return callback(Object.assign(new Error('5.1.1 No such user here'), { responseCode: 550 }));
      if (address.address.startsWith('soft')) return callback(Object.assign(new Error('4.7.1 Greylisted'), { responseCode: 451 }));
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => received.push(mail)).then(() => callback(), callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  t = await createTestApp();
  ws = await t.workspace('batch');
  mailer = createMailer({ publicUrl: 'https://keel.example.com', retry: { baseMs: 1_000, capMs: 30_000, maxAttempts: 3 } });
  await createTopic(t.db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_in' }, actor);
  await createTopic(t.db.kysely, ws.id, { key: 'tips', name: 'Tips', regime: 'opt_out' }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'news@acme.example', senderName: 'Acme', postalAddress: '1 Main St, Springfield', smtpUrl: `smtp://127.0.0.1:${port}`, maxPerDay: 1 }, actor);
});
afterAll(async () => {
  await mailer.close();
  await t.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const optIn = (ids: string[]) => recordConsent(t.db.kysely, ws.id, ids.map((contactId) => ({ contactId, topicKey: 'news', status: 'opted_in' as const, source: 'import' as const })), actor);

describe(`mailer.sendBatch: the gate set-based, delivery to a real SMTP server (${testDatabaseLabel})`, () => {
  it('decides every request as the gate does one by one, and delivers the cleared ones with RFC 8058 headers and the footer', async () => {
    const [ok1, ok2, noConsent, suppressed, capped, transactional] = await makeContacts(6);
    await optIn([ok1!, ok2!, suppressed!, capped!]);
    await addSuppressions(t.db.kysely, ws.id, [{ email: await emailOf(suppressed!), reason: 'manual' }], actor);
    expect(await mailer.send(t.db.kysely, send(capped!))).toMatchObject({ status: 'sent' });
    const requests = [send(ok1!), send(ok2!), send(noConsent!), send(suppressed!), send(capped!), send(transactional!, { kind: 'transactional' })];
    const oneByOne = await Promise.all(requests.map((r) => mailer.check(t.db.kysely, r)));
    const before = received.length;
    const outcomes = await mailer.sendBatch(t.db.kysely, requests);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'blocked', 'blocked', 'deferred', 'sent']);
    // The same decisions as the gate's, reasons and details included.
    outcomes.forEach((o, i) => {
      const c = oneByOne[i]!;
      if (c.status === 'allowed') expect(o.status).toBe('sent');
      else expect(o).toEqual(c);
    });
    expect(outcomes[2]).toMatchObject({ reason: 'no_consent' });
    expect(outcomes[3]).toMatchObject({ reason: 'suppressed', detail: 'suppressed (global, manual)' });
    expect(outcomes[4]).toMatchObject({ reason: 'frequency_cap' });
    const mails = received.slice(before);
    expect(mails).toHaveLength(3);
    const header = (m: ParsedMail, key: string) => m.headerLines.find((h) => h.key === key)?.line.replace(/\r?\n\s+/g, ' ');
    const marketing = mails.find((m) => header(m, 'list-unsubscribe-post'))!;
    expect(mails.filter((m) => header(m, 'list-unsubscribe-post'))).toHaveLength(2);
    expect(header(marketing, 'list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(header(marketing, 'list-unsubscribe')).toMatch(/<mailto:unsubscribe@acme\.example\?subject=unsubscribe%20[^>]+>, <https:\/\/keel\.example\.com\/u\/[^>]+>/);
    expect(marketing.text).toContain('1 Main St, Springfield');
    expect(marketing.html).toContain('Unsubscribe</a>');
    const id = (outcomes[0] as { messageId: string }).messageId;
    expect(await getMessage(t.db.kysely, ws.id, id)).toMatchObject({ status: 'sent', attempts: 1, next_attempt_at: null, transport: 'smtp' });
    expect(mails.some((m) => m.messageId === `<${id}@acme.example>`)).toBe(true);
  });

  it('never sends a messageId twice: one used before, or twice in the batch, is a conflict', async () => {
    const [a, b] = await makeContacts(2);
    await optIn([a!, b!]);
    const used = randomUUID();
    expect(await mailer.send(t.db.kysely, send(a!, { messageId: used, priority: 'high' }))).toMatchObject({ status: 'sent' });
    const again = randomUUID();
    const before = received.length;
    const outcomes = await mailer.sendBatch(t.db.kysely, [send(a!, { messageId: used, priority: 'high' }), send(b!, { messageId: again }), send(a!, { messageId: again, priority: 'high' })]);
    expect(outcomes).toEqual([
      { status: 'conflict', messageId: used, detail: `message ${used} was already sent` },
      { status: 'sent', messageId: again, transport: 'smtp' },
      { status: 'conflict', messageId: again, detail: `message ${again} was already sent` },
    ]);
    expect(received.length - before).toBe(1);
  });

  it('counts an earlier message of the same batch in the caps of a contact named twice', async () => {
    const [a] = await makeContacts(1);
    await optIn([a!]);
    const outcomes = await mailer.sendBatch(t.db.kysely, [send(a!), send(a!)]);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'deferred']);
    expect(outcomes[1]).toMatchObject({ reason: 'frequency_cap' });
  });

  it('turns a 550 into a hard bounce with its suppression, and a 451 into a retry, in the same batch', async () => {
    const [hard, soft, fine] = [...(await makeContacts(1, 'hard')), ...(await makeContacts(1, 'soft')), ...(await makeContacts(1))];
    await optIn([hard!, soft!, fine!]);
    const outcomes = await mailer.sendBatch(t.db.kysely, [send(hard!), send(soft!), send(fine!)]);
    expect(outcomes[0]).toMatchObject({ status: 'blocked', reason: 'bounced', detail: expect.stringContaining('550') });
    expect(outcomes[1]).toMatchObject({ status: 'queued', transport: 'smtp', detail: expect.stringContaining('451') });
    expect(outcomes[2]).toMatchObject({ status: 'sent' });
    expect((await findSuppressionsFor(t.db.kysely, ws.id, await emailOf(hard!))).map((s) => [s.scope, s.channel, s.reason])).toEqual([['channel', 'email', 'hard_bounce']]);
    expect(await getMessage(t.db.kysely, ws.id, (outcomes[1] as { messageId: string }).messageId)).toMatchObject({ status: 'retrying', attempts: 1 });
  });

  it('signs with DKIM when configured, and sends a mixed batch (another topic, a webhook) one by one through the gate', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    await updatePolicies(t.db.kysely, ws.id, { dkim: { domain: 'acme.example', selector: 'batch', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() } }, actor);
    const [a, b] = await makeContacts(2);
    await optIn([a!]);
    const before = received.length;
    const outcomes = await mailer.sendBatch(t.db.kysely, [send(a!), send(b!, { topicKey: 'tips' }), send(b!, { topicKey: 'tips', channel: 'webhook', kind: 'transactional', content: { url: 'https://hooks.elsewhere.example/x', payload: {} } })]);
    await updatePolicies(t.db.kysely, ws.id, { dkim: null }, actor);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'sent', 'blocked']);
    expect(outcomes[2]).toMatchObject({ reason: 'channel_not_in_topic' });
    const mails = received.slice(before);
    expect(mails.map(to).sort()).toEqual([`batch-${n - 1}@example.com`, `batch-${n}@example.com`]);
    expect(mails.every((m) => m.headerLines.some((h) => h.key === 'dkim-signature' && h.line.includes('s=batch')))).toBe(true);
  });
});
