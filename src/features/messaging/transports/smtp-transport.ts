import { createTransport } from 'nodemailer';
import DKIM from 'nodemailer/lib/dkim';
import type { WorkspacePolicies } from '../../consent/index.ts';
import { pooledSmtpUrl } from '../smtp-pool.ts';
import { buildMimeMessage } from './mime-message.ts';
import { createSmtpPool, smtpPoolOptionsOf, type SmtpError } from './smtp-client.ts';
import type { Attempt, Transport } from './transport.ts';

/**
 * SMTP to any relay or ESP, through one pool per URL shared by every send of the process.
 * The message is built in memory (mime-message.ts), DKIM-signed in memory when the
 * workspace holds a key (nodemailer's signer), and written by Keel's pipelined client
 * (smtp-client.ts: two socket writes per message, no per-byte stream). A URL with options
 * that client does not know goes through nodemailer's pooled transport instead.
 */
export function createSmtpTransport(url: string): Transport {
  const pooled = new URL(pooledSmtpUrl(url));
  const relay = `${pooled.hostname}:${pooled.port || 25}`;
  const sender = senderFor(pooled.toString());
  return {
    name: 'smtp',
    async attempt(email, policies) {
      try {
        const messageId = `<${email.id}@${policies.dkim_domain ?? email.from.replace(/.*@/, '').replace(/>$/, '')}>`;
        const mime = buildMimeMessage({ from: email.from, to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers, messageId, date: new Date() });
        const dkim = dkimOf(policies);
        await sender.send(mime.envelope, dkim ? await signDkim(mime.raw, dkim) : mime.raw);
        return { ok: true, providerMessageId: messageId };
      } catch (error) {
        return classifySmtpFailure(error as SmtpError, relay);
      }
    },
    close: () => sender.close(),
  };
}

interface Sender {
  send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<unknown>;
  close(): Promise<void>;
}

function senderFor(url: string): Sender {
  const options = smtpPoolOptionsOf(url);
  if (options) return createSmtpPool(options);
  const transporter = createTransport(url);
  return {
    send: (envelope, raw) => transporter.sendMail({ envelope, raw }),
    close: async () => transporter.close(),
  };
}

type DkimKey = { domainName: string; keySelector: string; privateKey: string };

function dkimOf(p: WorkspacePolicies): DkimKey | null {
  if (!p.dkim_domain || !p.dkim_selector || !p.dkim_private_key) return null;
  return { domainName: p.dkim_domain, keySelector: p.dkim_selector, privateKey: p.dkim_private_key };
}

/** The message with its DKIM-Signature header (relaxed/relaxed, rsa-sha256), as nodemailer signs. */
async function signDkim(raw: Buffer, key: DkimKey): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of new DKIM(key).sign(raw)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * 5xx on the recipient (RCPT TO): a hard bounce; other 5xx (the message itself refused):
 * dead, not retried; 4xx, 421 and connection or timeout failures: soft, retried.
 */
export function classifySmtpFailure(error: SmtpError, relay: string): Attempt {
  const code = error.responseCode;
  const text = `SMTP relay ${relay}: ${error.message}`.slice(0, 1000);
  if (code !== undefined && code >= 500 && code < 600 && code !== 503) {
    return { ok: false, failure: error.code === 'EENVELOPE' || error.command === 'RCPT TO' ? 'hard' : 'dead', error: text };
  }
  return { ok: false, failure: 'soft', error: text };
}
