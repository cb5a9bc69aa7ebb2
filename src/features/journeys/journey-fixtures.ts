import { sql } from 'kysely';
import { cliActor } from '../audit/index.ts';
import { createTopic, updatePolicies } from '../consent/index.ts';
import { applyTemplates } from '../templates/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { basicAuth, postIngest, type TestApp } from '../../testing/test-app.ts';

export const actor = cliActor();

const TEST_TEMPLATE_KEYS = ['after-wait', 'erasable', 'first', 'follow-up', 'hello', 'late', 'never', 'rest', 'second', 'small', 'variant-a', 'variant-b', 'w', 'welcome', 'x'];

/** A workspace that can send: an opt-out topic `news` (no consent record needed), a sender and a postal address. */
export async function prepareSendingWorkspace(t: TestApp, name = 'journeys'): Promise<CreatedWorkspace> {
  const ws = await t.workspace(name);
  await createTopic(t.db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_out', channels: ['email', 'sms', 'webhook'] }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'news@acme.example', senderName: 'Acme', postalAddress: '1 Main St, Springfield' }, actor);
  // Every template key the journey tests send: the subject names the key, the body greets by name with a default.
  const docs = TEST_TEMPLATE_KEYS.map((key) => `kind: template\nkey: ${key}\nname: ${key}\nsubject: "[${key}]"\nbody: "<p>Hi {{ contact.first_name | default: 'there' }}, this is ${key}.</p>"\n`);
  await applyTemplates(t.db.kysely, ws.id, docs.join('---\n'), actor);
  return ws;
}

/** Contacts through the real ingest path (identify), returned by email. */
export async function makeContacts(t: TestApp, ws: CreatedWorkspace, people: Array<{ email: string; traits?: Record<string, unknown> }>): Promise<Map<string, string>> {
  const batch = people.map((p) => ({ type: 'identify', userId: `u-${p.email}`, traits: { email: p.email, ...p.traits } }));
  for (let i = 0; i < batch.length; i += 100) await postIngest(t.app, '/v1/batch', { batch: batch.slice(i, i + 100) }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  const rows = await sql<{ id: string; email: string }>`select id, email from contacts where workspace_id = ${ws.id}::uuid`.execute(t.db.kysely);
  return new Map(rows.rows.map((r) => [r.email, r.id]));
}

/** Track events for contacts (by email), processed. */
export async function track(t: TestApp, ws: CreatedWorkspace, email: string, event: string, properties: Record<string, unknown> = {}): Promise<void> {
  await postIngest(t.app, '/v1/track', { userId: `u-${email}`, event, properties }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
}

/** Outbox messages per contact and subject. */
export async function messagesOf(t: TestApp, workspaceId: string) {
  const rows = await sql<{ contact_id: string; subject: string; channel: string; id: string }>`select contact_id, subject, channel, id from messages where workspace_id = ${workspaceId}::uuid order by sent_at`.execute(t.db.kysely);
  return rows.rows;
}

/** Runs due steps until the run is settled or `until` holds (waits of a few seconds need the clock to pass). */
export async function runUntil(t: TestApp, until: () => Promise<boolean>, deadlineMs = 20_000): Promise<void> {
  const stop = Date.now() + deadlineMs;
  for (;;) {
    await t.journeys.runDue();
    if (await until()) return;
    if (Date.now() > stop) throw new Error('journey did not settle before the deadline');
    await new Promise((r) => setTimeout(r, 200));
  }
}
