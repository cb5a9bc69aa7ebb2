import { isSubscribed } from './features/consent/index.ts';
import type { JourneyEffects, JourneySendOutcome, JourneySendRequest } from './features/journeys/index.ts';
import { getMessage, type Mailer, type SendOutcome, type SendRequest } from './features/messaging/index.ts';
import { isAppError } from './platform/errors.ts';
import type { Database } from './platform/db/schema.ts';
import { renderEmail, type RenderEmailInput } from './features/templates/index.ts';
import type { Kysely } from 'kysely';

/**
 * What journeys do outside their own tables, built from the features that own it
 * (composition root, so the journey engine imports neither templates nor messaging):
 * sends through the one send gate, with the step's derived message id.
 */
export function createJourneyEffects(mailer: Mailer): JourneyEffects {
  return {
    async send(db, request) {
      let gateRequest: SendRequest;
      try {
        gateRequest = await toGateRequest(db, mailer, request);
      } catch (error) {
        // A template that cannot render for this contact (missing data, unknown key) is a
        // decision about this message, not a transient failure: record it, never retry it.
        if (isAppError(error) && (error.code === 'invalid' || error.code === 'not_found')) return { status: 'blocked', reason: 'render_failed', detail: error.message };
        throw error;
      }
      return presentOutcome(await mailer.send(db, gateRequest), request.messageId);
    },
    async check(db, request) {
      const decision = await mailer.check(db, await toGateRequest(db, mailer, request, { render: false }));
      return decision.status === 'allowed' ? decision : presentOutcome(decision, request.messageId);
    },
    async checkRender(db, request) {
      await renderEmail(db, renderInput(mailer, request, request.content.templateKey));
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

const renderInput = (mailer: Mailer, r: JourneySendRequest, templateKey: string): RenderEmailInput => ({
  workspaceId: r.workspaceId, contactId: r.contactId, templateKey, messageId: r.messageId, publicUrl: mailer.publicUrl,
  journey: { id: r.journey.id, version: r.journey.version, stepId: r.journey.stepId, ...(r.journey.variant ? { variant: r.journey.variant } : {}) },
});

async function toGateRequest(db: Kysely<Database>, mailer: Mailer, r: JourneySendRequest, o: { render: boolean } = { render: true }): Promise<SendRequest> {
  // Webhooks notify people inside the company (sales, ads, Slack): no consent of the contact applies.
  const kind = r.content.channel === 'webhook' ? ('transactional' as const) : ('marketing' as const);
  const base = { workspaceId: r.workspaceId, contactId: r.contactId, topicKey: r.topicKey, kind, messageId: r.messageId, now: r.now, journey: r.journey };
  if (r.content.channel === 'email') {
    // The gate's decision (check) needs no body; a render would record nothing but costs queries.
    if (!o.render) return { ...base, channel: 'email', content: { subject: r.content.templateKey, text: '' } };
    const rendered = await renderEmail(db, renderInput(mailer, r, r.content.templateKey));
    return { ...base, channel: 'email', content: { subject: rendered.subject, text: rendered.text, html: rendered.html } };
  }
  if (r.content.channel === 'sms') return { ...base, channel: 'sms', content: { text: r.content.text } };
  return { ...base, channel: 'webhook', content: { url: r.content.url, payload: r.content.payload } };
}

function presentOutcome(outcome: SendOutcome, messageId: string): JourneySendOutcome {
  if (outcome.status === 'sent') return { status: 'sent', messageId: outcome.messageId ?? messageId };
  return outcome;
}
