import { isSubscribed } from './features/consent/index.ts';
import type { JourneyEffects, JourneySendOutcome, JourneySendRequest } from './features/journeys/index.ts';
import { getMessage, type BatchOutcome, type Mailer, type SendOutcome, type SendRequest } from './features/messaging/index.ts';
import { isAppError } from './platform/errors.ts';
import type { Database } from './platform/db/schema.ts';
import { renderEmail, renderEmails, type RenderEmailInput } from './features/templates/index.ts';
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
        if (renderRefused(error)) return { status: 'blocked', reason: 'render_failed', detail: (error as Error).message };
        throw error;
      }
      return presentOutcome(await mailer.send(db, gateRequest), request.messageId);
    },
    sendBatch: (db, requests) => sendEmailBatch(db, mailer, requests),
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

/**
 * Email steps of many runs: one renderEmails per template and step (variant), then one
 * mailer.sendBatch per workspace and topic. A template that cannot render for a contact
 * blocks that message (render_failed), as `send` does; `conflict` (the message id is in the
 * log already) is `sent`.
 */
async function sendEmailBatch(db: Kysely<Database>, mailer: Mailer, requests: readonly JourneySendRequest[]): Promise<JourneySendOutcome[]> {
  const out = new Array<JourneySendOutcome>(requests.length);
  const renders = new Map<string, number[]>();
  for (const [i, r] of requests.entries()) {
    if (r.content.channel !== 'email') throw new Error(`sendBatch takes email steps only, got ${r.content.channel}`);
    const key = JSON.stringify([r.workspaceId, r.content.templateKey, r.journey.id, r.journey.version, r.journey.stepId, r.journey.variant ?? null]);
    renders.set(key, [...(renders.get(key) ?? []), i]);
  }
  const gates = new Map<string, Array<{ i: number; request: SendRequest }>>();
  for (const indexes of renders.values()) {
    const first = requests[indexes[0]!]!;
    const templateKey = (first.content as { templateKey: string }).templateKey;
    let rendered: Awaited<ReturnType<typeof renderEmails>>;
    try {
      const { workspaceId, publicUrl, journey } = renderInput(mailer, first, templateKey);
      rendered = await renderEmails(db, { workspaceId, templateKey, publicUrl, journey, recipients: indexes.map((i) => ({ contactId: requests[i]!.contactId, messageId: requests[i]!.messageId })) });
    } catch (error) {
      if (!renderRefused(error)) throw error;
      for (const i of indexes) out[i] = { status: 'blocked', reason: 'render_failed', detail: (error as Error).message };
      continue;
    }
    rendered.forEach((result, k) => {
      const i = indexes[k]!;
      const r = requests[i]!;
      if (!result.ok) {
        if (!renderRefused(result.error)) throw result.error;
        out[i] = { status: 'blocked', reason: 'render_failed', detail: result.error.message };
        return;
      }
      const key = `${r.workspaceId}\n${r.topicKey}`;
      const request: SendRequest = {
        workspaceId: r.workspaceId, contactId: r.contactId, topicKey: r.topicKey, kind: 'marketing', messageId: r.messageId, now: r.now, journey: r.journey,
        channel: 'email', content: { subject: result.email.subject, text: result.email.text, html: result.email.html },
      };
      gates.set(key, [...(gates.get(key) ?? []), { i, request }]);
    });
  }
  for (const list of gates.values()) {
    const outcomes = await mailer.sendBatch(db, list.map((g) => g.request));
    outcomes.forEach((o, k) => (out[list[k]!.i] = presentBatchOutcome(o, list[k]!.request.messageId!)));
  }
  return out;
}

const renderRefused = (error: unknown) => isAppError(error) && (error.code === 'invalid' || error.code === 'not_found');

function presentBatchOutcome(outcome: BatchOutcome, messageId: string): JourneySendOutcome {
  return outcome.status === 'conflict' ? { status: 'sent', messageId } : presentOutcome(outcome, messageId);
}

function presentOutcome(outcome: SendOutcome, messageId: string): JourneySendOutcome {
  if (outcome.status === 'sent') return { status: 'sent', messageId: outcome.messageId ?? messageId };
  return outcome;
}
