import { createTransport, type Transporter } from 'nodemailer';
import { AppError } from '../../../platform/errors.ts';
import { insertMessage } from '../messages.queries.ts';
import type { Transport } from './transport.ts';

/**
 * SMTP to any relay or ESP, through a pooled nodemailer transport per URL (one pool is
 * shared by every send of the process). The message is logged once the relay accepts it.
 */
export function createSmtpTransport(url: string): Transport {
  const pooled = new URL(url);
  pooled.searchParams.set('pool', 'true');
  const transporter: Transporter = createTransport(pooled.toString());
  return {
    name: 'smtp',
    async deliver(db, email) {
      let info: { messageId: string };
      try {
        info = (await transporter.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          ...(email.html ? { html: email.html } : {}),
          headers: email.headers,
        })) as { messageId: string };
      } catch (error) {
        throw new AppError('unavailable', `SMTP relay ${pooled.hostname}:${pooled.port || 25} refused or failed the message: ${(error as Error).message}`);
      }
      const row = await insertMessage(db, {
        ...(email.messageId ? { id: email.messageId } : {}),
        workspace_id: email.workspaceId,
        contact_id: email.contactId,
        topic_id: email.topicId,
        channel: 'email',
        transport: 'smtp',
        kind: email.kind,
        to_address: email.to,
        from_address: email.from,
        subject: email.subject,
        text_body: email.text,
        html_body: email.html,
        headers: JSON.stringify(email.headers),
        provider_message_id: info.messageId,
      });
      return { messageId: row.id };
    },
    async close() {
      transporter.close();
    },
  };
}
