import { insertMessage } from '../messages.queries.ts';
import type { Transport } from './transport.ts';

/** The default transport: the message is stored and shown (API, CLI), nothing leaves. */
export function createOutboxTransport(): Transport {
  return {
    name: 'outbox',
    async deliver(db, email) {
      const row = await insertMessage(db, {
        ...(email.messageId ? { id: email.messageId } : {}),
        workspace_id: email.workspaceId,
        contact_id: email.contactId,
        topic_id: email.topicId,
        channel: 'email',
        transport: 'outbox',
        kind: email.kind,
        to_address: email.to,
        from_address: email.from,
        subject: email.subject,
        text_body: email.text,
        html_body: email.html,
        headers: JSON.stringify(email.headers),
      });
      return { messageId: row.id };
    },
    async close() {},
  };
}
