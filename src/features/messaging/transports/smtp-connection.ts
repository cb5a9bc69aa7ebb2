import net from 'node:net';
import tls from 'node:tls';

// One SMTP session to a relay (smtp-client.ts pools them): the wire protocol, TLS, AUTH.

/** A failed SMTP exchange, in nodemailer's terms (classifySmtpFailure reads these). */
export interface SmtpError extends Error {
  /** ECONNECTION, ETIMEDOUT, ETLS, EAUTH, EPROTOCOL, EENVELOPE (every recipient refused), EMESSAGE. */
  code?: string;
  responseCode?: number;
  command?: string;
}

export interface SmtpPoolOptions {
  host: string;
  port: number;
  /** TLS from the first byte (smtps, port 465). */
  secure: boolean;
  /** Never upgrade with STARTTLS, even when offered. */
  ignoreTLS: boolean;
  /** Refuse to send when the connection cannot be upgraded. */
  requireTLS: boolean;
  rejectUnauthorized: boolean;
  auth: { user: string; pass: string } | null;
  /** The EHLO name. */
  name: string;
  maxConnections: number;
  maxMessages: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
}

interface Reply {
  code: number;
  text: string;
}

export function smtpError(message: string, code: string, fields: { responseCode?: number; command?: string } = {}): SmtpError {
  return Object.assign(new Error(message), { code, ...fields });
}

const failedReply = (command: string, reply: Reply, code = 'EPROTOCOL') => smtpError(`${command} failed: ${reply.text}`, code, { responseCode: reply.code, command });

/**
 * One SMTP session: greeting, EHLO, STARTTLS and AUTH when asked, then one message at a
 * time. With PIPELINING (RFC 2920) the envelope and DATA go out in one write and the
 * message with its ending in a second one: two writes and two waits per message.
 */
export class SmtpConnection {
  private socket!: net.Socket;
  private pending = '';
  private readonly replies: Reply[] = [];
  private waiting: { resolve: (r: Reply) => void; reject: (e: SmtpError) => void } | null = null;
  private lines: string[] = [];
  private broken: SmtpError | null = null;
  private extensions = new Set<string>();
  private authMethods: string[] = [];
  private secured = false;
  sent = 0;

  constructor(private readonly o: SmtpPoolOptions, private readonly onGone: (c: SmtpConnection) => void) {}

  get alive(): boolean {
    return this.broken === null;
  }

  /** Connects and gets the session ready; on failure the socket is closed and the error thrown. */
  async open(): Promise<void> {
    try {
      await this.handshake();
    } catch (error) {
      this.fail(error as SmtpError);
      throw error;
    }
  }

  private async handshake(): Promise<void> {
    const socket = this.o.secure
      ? tls.connect({ host: this.o.host, port: this.o.port, rejectUnauthorized: this.o.rejectUnauthorized, ...(net.isIP(this.o.host) ? {} : { servername: this.o.host }) })
      : net.connect({ host: this.o.host, port: this.o.port });
    this.attach(socket);
    await this.within(this.o.connectionTimeoutMs, 'connection', new Promise<void>((resolve, reject) => {
      socket.once(this.o.secure ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    }));
    this.secured = this.o.secure;
    socket.setNoDelay(true);
    const greeting = await this.within(this.o.greetingTimeoutMs, 'greeting', this.read());
    if (greeting.code !== 220) throw failedReply('CONN', greeting, 'EPROTOCOL');
    await this.hello();
    if (!this.secured && !this.o.ignoreTLS && this.extensions.has('STARTTLS')) await this.startTls();
    if (!this.secured && this.o.requireTLS) throw smtpError(`the relay ${this.o.host} offers no STARTTLS and the URL requires TLS`, 'ETLS', { command: 'STARTTLS' });
    if (this.o.auth) await this.authenticate(this.o.auth);
    this.socket.setTimeout(this.o.socketTimeoutMs);
  }

  /** Sends one message; resolves with the relay's final answer. */
  async send(envelope: { from: string; to: string[] }, payload: Buffer[]): Promise<string> {
    if (this.broken) throw this.broken;
    const params = [
      ...(this.extensions.has('SIZE') ? [`SIZE=${payload.reduce((n, b) => n + b.length, 0)}`] : []),
      // eslint-disable-next-line no-control-regex
      ...(this.extensions.has('SMTPUTF8') && /[^\x00-\x7f]/.test(envelope.from + envelope.to.join('')) ? ['SMTPUTF8'] : []),
    ];
    const commands = [`MAIL FROM:<${envelope.from}>${params.map((p) => ` ${p}`).join('')}`, ...envelope.to.map((t) => `RCPT TO:<${t}>`), 'DATA'];
    let mail: Reply;
    const rcpts: Reply[] = [];
    let data: Reply;
    if (this.extensions.has('PIPELINING')) {
      this.write(`${commands.join('\r\n')}\r\n`);
      mail = await this.read();
      for (let i = 0; i < envelope.to.length; i += 1) rcpts.push(await this.read());
      data = await this.read();
    } else {
      mail = await this.command(commands[0]!);
      if (mail.code !== 250) {
        await this.reset();
        throw failedReply('MAIL FROM', mail);
      }
      for (const c of commands.slice(1, -1)) {
        const r = await this.command(c);
        rcpts.push(r);
        if (r.code !== 250 && r.code !== 251) break;
      }
      data = rcpts.every((r) => r.code === 250 || r.code === 251) ? await this.command('DATA') : { code: 503, text: '503 no valid recipients' };
    }
    const refused = mail.code !== 250 ? { error: failedReply('MAIL FROM', mail) } : rcpts.find((r) => r.code !== 250 && r.code !== 251);
    if (refused || data.code !== 354) {
      // A relay that still said 354 gets an empty message to end the transaction; RSET clears it.
      if (data.code === 354) await this.command('.');
      await this.reset();
      if (refused && 'error' in refused) throw refused.error;
      if (refused) throw failedReply('RCPT TO', refused as Reply, 'EENVELOPE');
      throw failedReply('DATA', data);
    }
    this.socket.cork();
    for (const chunk of payload) this.write(chunk);
    this.socket.uncork();
    const done = await this.read();
    this.sent += 1;
    if (done.code !== 250) throw failedReply('DATA', done, 'EMESSAGE');
    return done.text;
  }

  async quit(): Promise<void> {
    if (this.broken) return;
    this.broken = smtpError('the connection was closed', 'ECONNECTION');
    try {
      this.socket.end('QUIT\r\n');
    } catch {
      this.socket.destroy();
    }
  }

  setIdle(idle: boolean): void {
    if (idle) this.socket.unref();
    else this.socket.ref();
  }

  private async hello(): Promise<void> {
    let reply = await this.command(`EHLO ${this.o.name}`);
    if (reply.code !== 250) {
      reply = await this.command(`HELO ${this.o.name}`);
      if (reply.code !== 250) throw failedReply('HELO', reply);
    }
    const lines = reply.text.split(/\r?\n/).slice(1).map((l) => l.slice(4).trim().toUpperCase());
    this.extensions = new Set(lines.map((l) => l.split(/[\s=]/)[0]!));
    this.authMethods = lines.filter((l) => /^AUTH[\s=]/.test(l)).flatMap((l) => l.slice(5).split(/\s+/));
  }

  private async startTls(): Promise<void> {
    const reply = await this.command('STARTTLS');
    if (reply.code !== 220) throw failedReply('STARTTLS', reply, 'ETLS');
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: this.o.rejectUnauthorized, ...(net.isIP(this.o.host) ? {} : { servername: this.o.host }) });
    this.attach(secure);
    await this.within(this.o.greetingTimeoutMs, 'STARTTLS', new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    }));
    this.secured = true;
    await this.hello();
  }

  private async authenticate(auth: { user: string; pass: string }): Promise<void> {
    const useLogin = this.authMethods.includes('LOGIN') && !this.authMethods.includes('PLAIN');
    let reply: Reply;
    if (useLogin) {
      reply = await this.command('AUTH LOGIN');
      if (reply.code === 334) reply = await this.command(Buffer.from(auth.user).toString('base64'));
      if (reply.code === 334) reply = await this.command(Buffer.from(auth.pass).toString('base64'));
    } else {
      reply = await this.command(`AUTH PLAIN ${Buffer.from(`\u0000${auth.user}\u0000${auth.pass}`).toString('base64')}`);
    }
    if (reply.code !== 235) throw failedReply(useLogin ? 'AUTH LOGIN' : 'AUTH PLAIN', reply, 'EAUTH');
  }

  private async reset(): Promise<void> {
    const reply = await this.command('RSET');
    if (reply.code !== 250) this.fail(failedReply('RSET', reply));
  }

  private async command(line: string): Promise<Reply> {
    this.write(`${line}\r\n`);
    return this.read();
  }

  private write(data: string | Buffer): void {
    if (this.broken) throw this.broken;
    this.socket.write(data);
  }

  private read(): Promise<Reply> {
    const next = this.replies.shift();
    if (next) return Promise.resolve(next);
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.receive(chunk.toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(smtpError(`SMTP connection to ${this.o.host}:${this.o.port}: ${error.message}`, error.code === 'ETIMEDOUT' ? 'ETIMEDOUT' : 'ECONNECTION', { command: 'CONN' })));
    socket.on('close', () => this.fail(smtpError(`the relay ${this.o.host}:${this.o.port} closed the connection`, 'ECONNECTION', { command: 'CONN' })));
    socket.on('timeout', () => {
      this.fail(smtpError(`no answer from ${this.o.host}:${this.o.port} in ${this.o.socketTimeoutMs} ms`, 'ETIMEDOUT', { command: 'CONN' }));
      socket.destroy();
    });
  }

  private receive(chunk: string): void {
    this.pending += chunk;
    let at: number;
    while ((at = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, at).replace(/\r$/, '');
      this.pending = this.pending.slice(at + 1);
      this.lines.push(line);
      // "250-..." continues a reply, "250 ..." (or a bare code) ends it.
      if (line.length > 3 && line[3] === '-') continue;
      const reply = { code: Number(line.slice(0, 3)) || 0, text: this.lines.join('\n') };
      this.lines = [];
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w.resolve(reply);
      } else this.replies.push(reply);
    }
  }

  private fail(error: SmtpError): void {
    if (this.broken) return;
    this.broken = error;
    this.socket.destroy();
    const w = this.waiting;
    this.waiting = null;
    w?.reject(error);
    this.onGone(this);
  }

  private async within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(smtpError(`SMTP ${what} with ${this.o.host}:${this.o.port} timed out after ${ms} ms`, 'ETIMEDOUT', { command: 'CONN' })), ms)))]);
    } catch (error) {
      const e = error as SmtpError;
      this.fail(e.code ? e : smtpError(`SMTP ${what} with ${this.o.host}:${this.o.port}: ${e.message}`, 'ECONNECTION', { command: 'CONN' }));
      throw this.broken;
    } finally {
      clearTimeout(timer);
    }
  }
}
