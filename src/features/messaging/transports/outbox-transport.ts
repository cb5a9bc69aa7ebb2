import type { Transport } from './transport.ts';

/** The default transport of email and SMS: the message is stored and shown (API, CLI), nothing leaves. */
export function createOutboxTransport(): Transport {
  return {
    name: 'outbox',
    async attempt() {
      return { ok: true, providerMessageId: null };
    },
    async close() {},
  };
}
