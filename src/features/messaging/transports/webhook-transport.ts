import { createHmac } from 'node:crypto';
import type { Attempt, Transport } from './transport.ts';

/** The signature of a webhook: `v1=` and the hex HMAC-SHA256 of "timestamp.body" under the workspace's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * JSON POST to the message's URL with X-Keel-Timestamp (unix seconds) and
 * X-Keel-Signature. 2xx: sent; 408, 429, 5xx, timeouts and network errors: retried;
 * any other status (4xx, and redirects, which are not followed so that a message
 * cannot be bounced to a host the workspace did not allow): dead.
 */
export function createWebhookTransport(timeoutMs: number): Transport {
  return {
    name: 'webhook',
    async attempt(message, policies): Promise<Attempt> {
      if (!policies.webhook_secret) return { ok: false, failure: 'dead', error: 'the workspace has no webhook_secret' };
      const timestamp = String(Math.floor(Date.now() / 1000));
      let response: Response;
      try {
        response = await fetch(message.to, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Keel-Webhook/1',
            'x-keel-message-id': message.id,
            'x-keel-timestamp': timestamp,
            'x-keel-signature': signWebhook(policies.webhook_secret, timestamp, message.text),
          },
          body: message.text,
        });
      } catch (error) {
        const cause = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${(error as Error).message}${(error as { cause?: Error }).cause ? `: ${(error as { cause: Error }).cause.message}` : ''}`;
        return { ok: false, failure: 'soft', error: `POST ${origin(message.to)}: ${cause}`.slice(0, 1000) };
      }
      const excerpt = (await response.text().catch(() => '')).slice(0, 300);
      if (response.status >= 200 && response.status < 300) return { ok: true, providerMessageId: response.headers.get('x-request-id') };
      const error = `POST ${origin(message.to)} answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
      const retry = response.status === 408 || response.status === 429 || response.status >= 500;
      return { ok: false, failure: retry ? 'soft' : 'dead', error };
    },
    async close() {},
  };
}

function origin(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
