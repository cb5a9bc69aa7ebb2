import { createTransport, type Transporter } from 'nodemailer';
import type { WorkspacePolicies } from '../../consent/index.ts';
import { pooledSmtpUrl } from '../smtp-pool.ts';
import type { Attempt, Transport } from './transport.ts';

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  command?: string;
}

/**
 * SMTP to any relay or ESP, through a pooled nodemailer transport per URL (one pool is
 * shared by every send of the process). DKIM-signed when the workspace holds a key.
 */
export function createSmtpTransport(url: string): Transport {
  const pooled = new URL(pooledSmtpUrl(url));
  const transporter: Transporter = createTransport(pooled.toString());
  const relay = `${pooled.hostname}:${pooled.port || 25}`;
  return {
    name: 'smtp',
    async attempt(email, policies) {
      try {
        const info = (await transporter.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html ? { html: email.html } : {}),
          headers: email.headers,
          messageId: `<${email.id}@${policies.dkim_domain ?? email.from.replace(/.*@/, '').replace(/>$/, '')}>`,
          ...dkimOf(policies),
        })) as { messageId: string };
        return { ok: true, providerMessageId: info.messageId };
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
