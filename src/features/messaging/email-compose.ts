import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { createTokenSigner, tokenSignerFor, type TokenClaims, type Topic, type WorkspacePolicies } from '../consent/index.ts';

export interface ComposeInput {
  workspaceId: string;
  contactId: string;
  topic: Topic;
  subject: string;
  text: string;
  html?: string | null | undefined;
}

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
}

/** Links of a contact's hosted pages: one-click unsubscribe (per topic) and the preference centre. */
export async function buildContactLinks(db: Kysely<Database>, publicUrl: string, workspaceId: string, contactId: string, topicId: string) {
  return contactLinks(await createTokenSigner(db, workspaceId), publicUrl, workspaceId, contactId, topicId);
}

function contactLinks(sign: (claims: TokenClaims) => string, publicUrl: string, workspaceId: string, contactId: string, topicId: string) {
  const base = publicUrl.replace(/\/+$/, '');
  const unsubscribeToken = sign({ workspaceId, contactId, purpose: 'unsubscribe', topicId });
  const preferencesToken = sign({ workspaceId, contactId, purpose: 'preferences' });
  return { unsubscribeToken, unsubscribeUrl: `${base}/u/${unsubscribeToken}`, preferencesUrl: `${base}/p/${preferencesToken}` };
}

/**
 * A marketing email: List-Unsubscribe with mailto and https, List-Unsubscribe-Post for
 * RFC 8058 one-click, and a footer with the sender's postal address (CAN-SPAM) and links.
 */
export function composeMarketingEmail(publicUrl: string, policies: WorkspacePolicies, input: ComposeInput): ComposedEmail {
  // The gate already holds the workspace's policies: the links are signed without another read.
  const links = contactLinks(tokenSignerFor(input.workspaceId, policies.signing_secret), publicUrl, input.workspaceId, input.contactId, input.topic.id);
  const mailbox = policies.unsubscribe_mailbox ?? `unsubscribe@${(policies.sender_email ?? 'localhost').split('@')[1]}`;
  const mailto = `mailto:${mailbox}?subject=${encodeURIComponent(`unsubscribe ${links.unsubscribeToken}`)}`;
  const sender = [policies.sender_name, policies.postal_address].filter(Boolean).join(', ');
  const footer = `\n\n--\nYou receive this because of your subscription to ${input.topic.name}.\n${sender}\nPreferences: ${links.preferencesUrl}\nUnsubscribe: ${links.unsubscribeUrl}\n`;
  const htmlFooter =
    `<hr><p style="font-size:12px;color:#666">You receive this because of your subscription to ${escapeHtml(input.topic.name)}.<br>${escapeHtml(sender)}<br>` +
    `<a href="${escapeHtml(links.preferencesUrl)}">Preferences</a> · <a href="${escapeHtml(links.unsubscribeUrl)}">Unsubscribe</a></p>`;
  return {
    subject: input.subject,
    text: input.text + footer,
    html: input.html ? appendToBody(input.html, htmlFooter) : null,
    headers: {
      'List-Unsubscribe': `<${mailto}>, <${links.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

function appendToBody(html: string, footer: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at === -1 ? html + footer : html.slice(0, at) + footer + html.slice(at);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
