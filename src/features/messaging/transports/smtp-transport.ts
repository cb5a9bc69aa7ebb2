import { createTransport, type Transporter } from 'nodemailer';
import type { WorkspacePolicies } from '../../consent/index.ts';
import { pooledSmtpUrl } from '../smtp-pool.ts';
import { buildMimeMessage } from './mime-message.ts';
import type { Attempt, Transport } from './transport.ts';

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/**
 * SMTP to any relay or ESP, through a pooled nodemailer transport per URL (one pool is
 * shared by every send of the process). The message is built in memory (mime-message.ts)
 * and handed over whole; nodemailer speaks SMTP and DKIM-signs it when the workspace
 * holds a key.
 */
export function createSmtpTransport(url: string): Transport {
  const pooled = new URL(pooledSmtpUrl(url));
  const transporter: Transporter = createTransport(pooled.toString());
  const relay = `${pooled.hostname}:${pooled.port || 25}`;
  return {
    name: 'smtp',
    async attempt(email, policies) {
      try {
        const messageId = `<${email.id}@${policies.dkim_domain ?? email.from.replace(/.*@/, '').replace(/>$/, '')}>`;
        const mime = buildMimeMessage({ from: email.from, to: email.to, subject: email.subject, text: email.text, html: email.html, headers: email.headers, messageId, date: new Date() });
        await transporter.sendMail({ envelope: mime.envelope, raw: mime.raw, ...dkimOf(policies) });
        return { ok: true, providerMessageId: messageId };
      } catch (error) {
        return classifySmtpFailure(error as SmtpError, relay);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

function dkimOf(p: WorkspacePolicies) {
  if (!p.dkim_domain || !p.dkim_selector || !p.dkim_private_key) return {};
  return { dkim: { domainName: p.dkim_domain, keySelector: p.dkim_selector, privateKey: p.dkim_private_key } };
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
