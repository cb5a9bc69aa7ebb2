import { isSubscribed } from './features/consent/index.ts';
import type { JourneyEffects, JourneySendOutcome, JourneySendRequest } from './features/journeys/index.ts';
import { getMessage, type Mailer, type SendOutcome, type SendRequest } from './features/messaging/index.ts';
import { isAppError } from './platform/errors.ts';

/**
 * What journeys do outside their own tables, built from the features that own it
 * (composition root, so the journey engine imports neither templates nor messaging):
 * sends through the one send gate, with the step's derived message id.
 */
export function createJourneyEffects(mailer: Mailer): JourneyEffects {
  return {
    send: async (db, request) => presentOutcome(await mailer.send(db, toGateRequest(request)), request.messageId),
    async check(db, request) {
      const decision = await mailer.check(db, toGateRequest(request));
      return decision.status === 'allowed' ? decision : presentOutcome(decision, request.messageId);
    },
    async checkRender() {
      // MERGE: call templates' renderEmail(db, { workspaceId, contactId, templateKey, messageId,
      // publicUrl: mailer.publicUrl, journey }) here; it throws `invalid` naming every merge
      // field without data, which the simulator reports. Until then nothing is rendered.
    },
    async messageExists(db, workspaceId, messageId) {
      try {
        await getMessage(db, workspaceId, messageId);
        return true;
      } catch (error) {
        if (isAppError(error) && error.code === 'not_found') return false;
        throw error;
      }
    },
    isSubscribed: (db, workspaceId, contactId, topicKey) => isSubscribed(db, workspaceId, contactId, topicKey),
  };
}

function toGateRequest(r: JourneySendRequest): SendRequest {
  // Webhooks notify people inside the company (sales, ads, Slack): no consent of the contact applies.
  const kind = r.content.channel === 'webhook' ? ('transactional' as const) : ('marketing' as const);
  const base = { workspaceId: r.workspaceId, contactId: r.contactId, topicKey: r.topicKey, kind, messageId: r.messageId, now: r.now, journey: r.journey };
  if (r.content.channel === 'email') {
    // MERGE: temporary adapter until the templates branch is merged: the gate's existing
    // content shape with a placeholder body naming the template. Replace with
    // `const rendered = await renderEmail(db, {...})` and `content: { subject: rendered.subject, text: rendered.text, html: rendered.html }`.
    return { ...base, channel: 'email', content: { subject: `[${r.content.templateKey}]`, text: `Template ${r.content.templateKey} (rendered by the templates feature once merged)` } };
  }
  if (r.content.channel === 'sms') return { ...base, channel: 'sms', content: { text: r.content.text } };
  return { ...base, channel: 'webhook', content: { url: r.content.url, payload: r.content.payload } };
}

function presentOutcome(outcome: SendOutcome, messageId: string): JourneySendOutcome {
  if (outcome.status === 'sent') return { status: 'sent', messageId: outcome.messageId ?? messageId };
  return outcome;
}
