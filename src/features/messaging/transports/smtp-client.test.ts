import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { buildMimeMessage } from './mime-message.ts';
import { createSmtpPool, dataPayloadOf, smtpPoolOptionsOf, type SmtpPool } from './smtp-client.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
  secure: boolean;
}

const servers: SMTPServer[] = [];
const pools: SmtpPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A real smtp-server relay that keeps every message it accepts (550 for refused-*, 451 for later-*). */
async function relay(options: SMTPServerOptions = {}) {
  const received: Received[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    disabledCommands: ['STARTTLS'],
    onConnect(_session, cb) {
      connections += 1;
      cb();
    },
    onRcptTo(address, _session, cb) {
      if (address.address.startsWith('refused')) return cb(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
      if (address.address.startsWith('later')) return cb(Object.assign(new Error('4.7.1 Try later'), { responseCode: 451 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: session.user as string | undefined, secure: session.secure });
        cb();
      });
    },
    ...options,
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.server.address() as { port: number }).port, received, connections: () => connections };
}

function pool(url: string): SmtpPool {
  const options = smtpPoolOptionsOf(url);
  if (!options) throw new Error(`no options for ${url}`);
  const p = createSmtpPool(options);
  pools.push(p);
  return p;
}

const message = (to: string, text: string) =>
  buildMimeMessage({ from: '"Acme" <news@acme.example>', to, subject: 'Hi', text, html: null, headers: {}, messageId: `<${to}@acme.example>`, date: new Date() });

describe('the pipelined SMTP client', () => {
  it('stuffs dots at line starts, makes every line end CRLF and ends the data', () => {
    const payload = (text: string) => Buffer.concat(dataPayloadOf(Buffer.from(text, 'utf8'))).toString('utf8');
    expect(payload('a\r\nb\r\n')).toBe('a\r\nb\r\n.\r\n');
    expect(payload('a\r\nb')).toBe('a\r\nb\r\n.\r\n');
    expect(payload('.a\r\n.\r\nb')).toBe('..a\r\n..\r\nb\r\n.\r\n');
    expect(payload('a\n.b\r.c\rd')).toBe('a\r\n..b\r\n..c\r\nd\r\n.\r\n');
    expect(payload('a\nb\r\n')).toBe('a\r\nb\r\n.\r\n');
    expect(payload('a\r')).toBe('a\r\n.\r\n');
    expect(payload('\n')).toBe('\r\n.\r\n');
    expect(payload('caf\u00e9 \u2713\r\n')).toBe('caf\u00e9 \u2713\r\n.\r\n');
    expect(payload('caf\u00e9\n.\u2713')).toBe('caf\u00e9\r\n..\u2713\r\n.\r\n');
  });

  it('delivers many messages over a few pipelined connections, the text as written (dots, Unicode)', async () => {
    const r = await relay();
    const p = pool(`smtp://127.0.0.1:${r.port}?pool=true&maxConnections=3&maxMessages=7`);
    const texts = Array.from({ length: 40 }, (_, i) => `Hello ${i}\n.\n..two dots\n.starts with a dot \u00e9\u2713`);
    await Promise.all(texts.map((text, i) => p.send(message(`c${i}@example.com`, text).envelope, message(`c${i}@example.com`, text).raw)));
    expect(r.received).toHaveLength(40);
    for (const [i, text] of texts.entries()) {
      const got = r.received.find((m) => m.to[0] === `c${i}@example.com`)!;
      expect(got.from).toBe('news@acme.example');
      expect((await simpleParser(got.raw)).text?.replace(/\r\n/g, '\n').trimEnd()).toBe(text);
    }
    // 40 messages, at most 7 per connection: at least 6 connections, opened 3 at a time.
    expect(r.connections()).toBeGreaterThanOrEqual(6);
  });

  it('works with a relay that does not offer PIPELINING', async () => {
    const r = await relay({ hidePIPELINING: true });
    const p = pool(`smtp://127.0.0.1:${r.port}`);
    await Promise.all([0, 1, 2].map((i) => p.send({ from: 'news@acme.example', to: [`c${i}@example.com`] }, message(`c${i}@example.com`, 'x').raw)));
    expect(r.received.map((m) => m.to[0]).sort()).toEqual(['c0@example.com', 'c1@example.com', 'c2@example.com']);
  });

  it('reports a refused recipient as EENVELOPE on RCPT TO with its code, a 451 likewise, and goes on sending on the same connection', async () => {
    for (const hidePIPELINING of [false, true]) {
      const r = await relay({ hidePIPELINING });
      const p = pool(`smtp://127.0.0.1:${r.port}?maxConnections=1`);
      const send = (to: string) => p.send({ from: 'news@acme.example', to: [to] }, message(to, 'x').raw);
      await expect(send('refused@example.com')).rejects.toMatchObject({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 550 });
      await expect(send('later@example.com')).rejects.toMatchObject({ code: 'EENVELOPE', command: 'RCPT TO', responseCode: 451 });
      await send('ok@example.com');
      expect(r.received.map((m) => m.to[0])).toEqual(['ok@example.com']);
      expect(r.connections()).toBe(1);
    }
  });

  it('authenticates with PLAIN, or LOGIN when that is all the relay offers; a wrong password is EAUTH', async () => {
    for (const authMethods of [['PLAIN', 'LOGIN'], ['LOGIN']]) {
      const r = await relay({
        authOptional: false,
        authMethods,
        onAuth(auth, _s, cb) {
          return auth.username === 'ada' && auth.password === 'p@ss word' ? cb(null, { user: auth.username }) : cb(new Error('Invalid credentials'));
        },
      });
      await pool(`smtp://ada:${encodeURIComponent('p@ss word')}@127.0.0.1:${r.port}`).send({ from: 'news@acme.example', to: ['a@example.com'] }, message('a@example.com', 'x').raw);
      expect(r.received.map((m) => m.user)).toEqual(['ada']);
      await expect(pool(`smtp://ada:wrong@127.0.0.1:${r.port}`).send({ from: 'news@acme.example', to: ['a@example.com'] }, message('a@example.com', 'x').raw)).rejects.toMatchObject({ code: 'EAUTH', responseCode: 535 });
    }
  });

  it('upgrades with STARTTLS when offered, and refuses to send in clear when the URL requires TLS', async () => {
    const tlsRelay = await relay({ disabledCommands: [] });
    await pool(`smtp://127.0.0.1:${tlsRelay.port}?tls.rejectUnauthorized=false`).send({ from: 'news@acme.example', to: ['a@example.com'] }, message('a@example.com', 'x').raw);
    expect(tlsRelay.received.map((m) => m.secure)).toEqual([true]);
    const clear = await relay();
    await expect(pool(`smtp://127.0.0.1:${clear.port}?requireTLS=true`).send({ from: 'news@acme.example', to: ['a@example.com'] }, message('a@example.com', 'x').raw)).rejects.toMatchObject({ code: 'ETLS' });
    expect(clear.received).toEqual([]);
  });

  it('fails every waiting message when the relay cannot be reached (a soft failure, retried later)', async () => {
    const r = await relay();
    const port = r.port;
    await new Promise<void>((done) => servers.pop()!.close(() => done()));
    const p = pool(`smtp://127.0.0.1:${port}?maxConnections=1`);
    const results = await Promise.allSettled([0, 1, 2].map((i) => p.send({ from: 'news@acme.example', to: [`c${i}@example.com`] }, message(`c${i}@example.com`, 'x').raw)));
    expect(results.map((x) => x.status === 'rejected' && (x.reason as { code: string }).code)).toEqual(['ECONNECTION', 'ECONNECTION', 'ECONNECTION']);
  });

  it('leaves URLs with options it does not know to nodemailer', () => {
    expect(smtpPoolOptionsOf('smtp://127.0.0.1:2525?pool=true&maxConnections=5')).toMatchObject({ host: '127.0.0.1', port: 2525, secure: false, maxConnections: 5 });
    expect(smtpPoolOptionsOf('smtps://u:p@mail.example')).toMatchObject({ port: 465, secure: true, auth: { user: 'u', pass: 'p' } });
    expect(smtpPoolOptionsOf('smtp://mail.example?proxy=socks5://127.0.0.1:1080')).toBeNull();
    expect(smtpPoolOptionsOf('smtp://mail.example?service=gmail')).toBeNull();
  });
});
