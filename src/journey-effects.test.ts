import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic } from './features/consent/index.ts';
import { actor, makeContacts, messagesOf, prepareSendingWorkspace } from './features/journeys/journey-fixtures.ts';
import type { JourneySendRequest } from './features/journeys/index.ts';
import { applyTemplates } from './features/templates/index.ts';
import type { CreatedWorkspace } from './features/workspaces/index.ts';
import { createJourneyEffects } from './journey-effects.ts';
import { testDatabaseLabel } from './platform/db/test-database.ts';
import { createTestApp, type TestApp } from './testing/test-app.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let ids: Map<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  ws = await prepareSendingWorkspace(t, 'effects');
  await createTopic(t.db.kysely, ws.id, { key: 'tips', name: 'Tips', regime: 'opt_out' }, actor);
  await applyTemplates(t.db.kysely, ws.id, 'kind: template\nkey: strict\nname: strict\nsubject: "[strict]"\nbody: "<p>Hi {{ contact.first_name }}</p>"\n', actor);
  ids = await makeContacts(t, ws, [{ email: 'a@example.com', traits: { first_name: 'Ada' } }, { email: 'b@example.com' }, { email: 'c@example.com', traits: { first_name: 'Cy' } }]);
});
afterAll(async () => t.close());

const request = (email: string, templateKey: string, extra: Partial<JourneySendRequest> = {}): JourneySendRequest => ({
  workspaceId: ws.id, contactId: ids.get(email)!, topicKey: 'news', messageId: randomUUID(), content: { channel: 'email', templateKey },
  journey: { id: 'welcome', version: 1, stepId: 'mail' }, now: new Date(), ...extra,
});

describe(`journey email steps sent as a batch (${testDatabaseLabel})`, () => {
  it('gives each step the outcome send would: sent, render_failed for missing data, per topic and variant; each message once', async () => {
    const effects = createJourneyEffects(t.mailer);
    const requests = [
      request('a@example.com', 'strict'),
      request('b@example.com', 'strict'),
      request('c@example.com', 'hello', { topicKey: 'tips', journey: { id: 'welcome', version: 1, stepId: 'mail', variant: 'b' } }),
      request('a@example.com', 'missing-template'),
    ];
    const outcomes = await effects.sendBatch(t.db.kysely, requests);
    expect(outcomes.map((o) => o.status)).toEqual(['sent', 'blocked', 'sent', 'blocked']);
    expect(outcomes[1]).toMatchObject({ reason: 'render_failed', detail: expect.stringContaining('contact.first_name') });
    expect(outcomes[3]).toMatchObject({ reason: 'render_failed' });
    const sent = await messagesOf(t, ws.id);
    expect(sent.map((m) => m.id).sort()).toEqual([requests[0]!.messageId, requests[2]!.messageId].sort());

    // The same message ids again (a retried batch): counted as sent, nothing sent twice.
    const again = await effects.sendBatch(t.db.kysely, [requests[0]!, requests[2]!]);
    expect(again).toEqual([{ status: 'sent', messageId: requests[0]!.messageId }, { status: 'sent', messageId: requests[2]!.messageId }]);
    expect(await messagesOf(t, ws.id)).toHaveLength(2);
  });
});
