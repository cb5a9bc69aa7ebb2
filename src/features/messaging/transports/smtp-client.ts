import os from 'node:os';
import { SmtpConnection, smtpError, type SmtpError, type SmtpPoolOptions } from './smtp-connection.ts';

export type { SmtpError, SmtpPoolOptions } from './smtp-connection.ts';

// The URL parameters this client understands; a URL with any other (nodemailer has many)
// is sent through nodemailer instead (smtp-transport.ts).
const KNOWN = new Set(['pool', 'maxConnections', 'maxMessages', 'secure', 'ignoreTLS', 'requireTLS', 'tls.rejectUnauthorized', 'name', 'connectionTimeout', 'greetingTimeout', 'socketTimeout']);

/** The pool options of an smtp:// or smtps:// URL, with nodemailer's defaults; null when the URL needs nodemailer. */
export function smtpPoolOptionsOf(url: string): SmtpPoolOptions | null {
  const u = new URL(url);
  if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') return null;
  if ([...u.searchParams.keys()].some((k) => !KNOWN.has(k))) return null;
  const flag = (key: string) => ['true', '1', 'yes'].includes((u.searchParams.get(key) ?? '').toLowerCase());
  const num = (key: string, fallback: number) => (u.searchParams.has(key) ? Number(u.searchParams.get(key)) || fallback : fallback);
  const secure = u.protocol === 'smtps:' || flag('secure');
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const hostname = os.hostname();
  return {
    host,
    port: Number(u.port) || (secure ? 465 : 587),
    secure,
    ignoreTLS: flag('ignoreTLS'),
    requireTLS: flag('requireTLS'),
    rejectUnauthorized: u.searchParams.get('tls.rejectUnauthorized') !== 'false',
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : null,
    name: u.searchParams.get('name') ?? (hostname.includes('.') ? hostname : '[127.0.0.1]'),
    maxConnections: num('maxConnections', 5),
    maxMessages: num('maxMessages', 100),
    connectionTimeoutMs: num('connectionTimeout', 120_000),
    greetingTimeoutMs: num('greetingTimeout', 30_000),
    socketTimeoutMs: num('socketTimeout', 600_000),
  };
}

/**
 * The DATA payload of a message: line ends made CRLF (a bare CR or LF too: "\r.\r" must not
 * end the data, SMTP smuggling), a dot that starts a line doubled, and the ending
 * "<CRLF>.<CRLF>". A message already in CRLF without a dot at a line start (what
 * mime-message.ts writes, nearly always) is only checked with native searches of its
 * bytes and written as it is, the ending beside it.
 */
export function dataPayloadOf(raw: Buffer): Buffer[] {
  if (!hasBareLineEnd(raw) && raw[0] !== 0x2e && raw.indexOf('\n.') === -1) return [raw, raw.length === 0 || raw.subarray(-2).equals(CRLF) ? END : CRLF_END];
  let text = raw.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  if (text.startsWith('.') || text.includes('\n.')) text = text.replace(/(^|\n)\./g, '$1..');
  return [Buffer.from(text, 'latin1'), text.endsWith('\r\n') ? END : CRLF_END];
}

const CRLF = Buffer.from('\r\n');
const END = Buffer.from('.\r\n');
const CRLF_END = Buffer.from('\r\n.\r\n');

function hasBareLineEnd(raw: Buffer): boolean {
  for (let at = raw.indexOf(0x0a); at !== -1; at = raw.indexOf(0x0a, at + 1)) if (at === 0 || raw[at - 1] !== 0x0d) return true;
  for (let at = raw.indexOf(0x0d); at !== -1; at = raw.indexOf(0x0d, at + 1)) if (raw[at + 1] !== 0x0a) return true;
  return false;
}

interface Job {
  envelope: { from: string; to: string[] };
  payload: Buffer[];
  resolve: (response: string) => void;
  reject: (error: SmtpError) => void;
}

export interface SmtpPool {
  /** Sends a whole MIME message (CRLF line ends); resolves with the relay's answer to the data. */
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<string>;
  close(): Promise<void>;
}

/**
 * Up to `maxConnections` sessions to one relay, each carrying up to `maxMessages` messages
 * before it says QUIT and another opens; messages wait in one queue. A connection that
 * cannot be opened fails the messages waiting then (soft failures, retried later), not
 * only one of them.
 */
export function createSmtpPool(o: SmtpPoolOptions): SmtpPool {
  const queue: Job[] = [];
  const idle: SmtpConnection[] = [];
  let open = 0;
  let closed = false;
  // A connection the relay closed while idle leaves the pool; a busy one leaves when its run ends.
  const gone = (c: SmtpConnection) => {
    const at = idle.indexOf(c);
    if (at === -1) return;
    idle.splice(at, 1);
    open -= 1;
  };
  const run = async (c: SmtpConnection) => {
    c.setIdle(false);
    while (queue.length > 0 && c.alive && c.sent < o.maxMessages) {
      const job = queue.shift()!;
      try {
        job.resolve(await c.send(job.envelope, job.payload));
      } catch (error) {
        job.reject(error as SmtpError);
      }
    }
    if (!c.alive || c.sent >= o.maxMessages || closed) {
      await c.quit();
      open -= 1;
      dispatch();
    } else {
      c.setIdle(true);
      idle.push(c);
    }
  };
  const dispatch = () => {
    while (queue.length > 0 && idle.length > 0) void run(idle.pop()!);
    if (queue.length === 0 || open >= o.maxConnections || closed) return;
    open += 1;
    const c = new SmtpConnection(o, gone);
    c.open().then(
      () => void run(c),
      (error: SmtpError) => {
        open -= 1;
        for (const job of queue.splice(0)) job.reject(error);
      },
    );
  };
  return {
    send(envelope, raw) {
      if (closed) return Promise.reject(smtpError('the SMTP pool is closed', 'ECONNECTION', { command: 'CONN' }));
      return new Promise<string>((resolve, reject) => {
        queue.push({ envelope, payload: dataPayloadOf(raw), resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      await Promise.all(idle.splice(0).map((c) => c.quit()));
    },
  };
}
