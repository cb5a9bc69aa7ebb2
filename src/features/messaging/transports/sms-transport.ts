import type { WorkspacePolicies } from '../../consent/index.ts';
import type { Attempt, Outgoing, Transport } from './transport.ts';

/** An SMS provider: sends one text, answers with the provider's id or a classified failure. */
export interface SmsProvider {
  send(message: { to: string; from: string; body: string }, settings: SmsSettings): Promise<Attempt>;
}

export interface SmsSettings {
  baseUrl: string;
  account: string;
  token: string;
}

/**
 * The common `POST {baseUrl}/Messages` shape (Twilio's and its look-alikes'):
 * form-encoded To, From, Body; Basic auth account:token; a JSON answer with a `sid`.
 * 2xx with a sid: sent; 408, 429, 5xx and network errors: retried; other 4xx: dead.
 */
export function createFormSmsProvider(timeoutMs: number): SmsProvider {
  return {
    async send(message, s) {
      let response: Response;
      try {
        response = await fetch(`${s.baseUrl}/Messages`, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: { authorization: `Basic ${Buffer.from(`${s.account}:${s.token}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ To: message.to, From: message.from, Body: message.body }).toString(),
        });
      } catch (error) {
        return { ok: false, failure: 'soft', error: `SMS provider ${s.baseUrl}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message}` };
      }
      const text = await response.text().catch(() => '');
      if (response.status >= 200 && response.status < 300) {
        let sid: unknown;
        try {
          sid = (JSON.parse(text) as { sid?: unknown }).sid;
        } catch {
          sid = undefined;
        }
        if (typeof sid === 'string' && sid !== '') return { ok: true, providerMessageId: sid };
        return { ok: false, failure: 'soft', error: `SMS provider ${s.baseUrl} answered ${response.status} without a sid: ${text.slice(0, 200)}` };
      }
      const retry = response.status === 408 || response.status === 429 || response.status >= 500;
      return { ok: false, failure: retry ? 'soft' : 'dead', error: `SMS provider ${s.baseUrl} answered ${response.status}: ${text.slice(0, 300)}` };
    },
  };
}

/** SMS through the workspace's provider settings (policies sms_*). */
export function createSmsTransport(provider: SmsProvider): Transport {
  return {
    name: 'sms',
    async attempt(message: Outgoing, p: WorkspacePolicies) {
      if (!p.sms_base_url || !p.sms_account || !p.sms_token) return { ok: false, failure: 'dead', error: 'the workspace has no SMS provider (policies sms)' };
      return provider.send({ to: message.to, from: message.from, body: message.text }, { baseUrl: p.sms_base_url, account: p.sms_account, token: p.sms_token });
    },
    async close() {},
  };
}
