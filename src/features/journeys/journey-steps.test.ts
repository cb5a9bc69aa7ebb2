import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { applySegment } from '../audiences/index.ts';
import { recordConsent, updatePolicies } from '../consent/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { actor, makeContacts, messagesOf, prepareSendingWorkspace, runUntil, track } from './journey-fixtures.ts';
import { applyJourney, countJourney, enrollInJourney, launchJourney, listContactRuns } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let ids: Map<string, string>;

const journey = (key: string, steps: string, extra = '') => `
key: ${key}
name: ${key}
topic: news
trigger: { manual: true }
entry: { rule: every_time }
${extra}
steps:
${steps}`;

async function start(key: string, yaml: string) {
  await applyJourney(t.db.kysely, ws.id, yaml, actor);
  await launchJourney(t.journeys.engine, ws.id, key, actor);
}

const runsOf = async (email: string, key: string) => listContactRuns(t.db.kysely, ws.id, { email }, key);
const settled = (email: string, key: string) => async () => (await runsOf(email, key)).every((r) => r.status !== 'active');

beforeAll(async () => {
  t = await createTestApp();
  ws = await prepareSendingWorkspace(t);
  ids = await makeContacts(t, ws, [
    { email: 'ann@example.com', traits: { plan: 'enterprise', first_name: 'Ann' } },
    { email: 'bob@example.com', traits: { plan: 'free' } },
    { email: 'cy@example.com', traits: { plan: 'enterprise', owner_email: 'rep@acme.example', phone: '+14155550123' } },
    { email: 'dee@example.com', traits: { plan: 'free' } },
  ]);
});
afterAll(async () => t.close());

describe(`journey steps (${testDatabaseLabel})`, () => {
  it('sends an email through the gate with the message id derived from the step key, once', async () => {
    await start('welcome', journey('welcome', `  - id: hello\n    email: { template: welcome }`));
    const enrolled = await enrollInJourney(t.journeys.engine, ws.id, 'welcome', { email: 'ann@example.com' });
    expect(enrolled).toMatchObject({ enrolled: true, heldOut: false });
    await runUntil(t, settled('ann@example.com', 'welcome'));
    const [run] = await runsOf('ann@example.com', 'welcome');
    expect(run).toMatchObject({ status: 'completed', end_reason: 'finished' });
    expect(run!.steps).toMatchObject([{ step_id: 'hello', kind: 'email', status: 'completed', result: 'sent' }]);
    const messages = (await messagesOf(t, ws.id)).filter((m) => m.contact_id === ids.get('ann@example.com'));
    expect(messages.map((m) => m.id)).toEqual([run!.steps[0]!.message_id]);
    // Rendered by the templates feature for this contact, with the open pixel of this message and the step on the row.
    const row = (await sql<{ subject: string; text_body: string; html_body: string; journey_id: string; step_id: string }>`select subject, text_body, html_body, journey_id, step_id from messages where workspace_id = ${ws.id}::uuid and id = ${messages[0]!.id}::uuid`.execute(t.db.kysely)).rows[0]!;
    expect(row).toMatchObject({ subject: '[welcome]', journey_id: run!.journey_id, step_id: 'hello' });
    expect(row.text_body).toContain('Hi Ann, this is welcome.');
    expect(row.html_body).toMatch(/\/t\/o\/[\w.-]+\.gif/);
    // Running again finds nothing due: no second message.
    expect(await t.journeys.runDue()).toBe(0);
    expect((await messagesOf(t, ws.id)).filter((m) => m.contact_id === ids.get('ann@example.com'))).toHaveLength(1);
  });

  it('branches on traits (the audiences condition language) and on a previous step result', async () => {
    await start(
      'branchy',
      journey(
        'branchy',
        `  - id: check
    branch:
      conditions: [{ trait: { name: plan, op: eq, value: enterprise } }]
      then: big
      else: small
  - id: big
    update: { trait: { name: tier, value: gold } }
    next: sent-check
  - id: small
    email: { template: small }
    next: sent-check
  - id: sent-check
    branch:
      conditions: [{ step: { id: small, result: sent } }]
      then: done-sent
      else: done-other
  - id: done-sent
    update: { trait: { name: outcome, value: small-sent } }
    next: end
  - id: done-other
    update: { trait: { name: outcome, value: other } }
  - id: end
    exit: true`,
      ),
    );
    for (const email of ['ann@example.com', 'bob@example.com']) await enrollInJourney(t.journeys.engine, ws.id, 'branchy', { email });
    await runUntil(t, async () => (await settled('ann@example.com', 'branchy')()) && (await settled('bob@example.com', 'branchy')()));
    const traits = await sql<{ email: string; traits: Record<string, unknown> }>`select email, traits from contacts where workspace_id = ${ws.id}::uuid and email in ('ann@example.com', 'bob@example.com')`.execute(t.db.kysely);
    const by = new Map(traits.rows.map((r) => [r.email, r.traits]));
    expect(by.get('ann@example.com')).toMatchObject({ tier: 'gold', outcome: 'other' });
    expect(by.get('bob@example.com')).toMatchObject({ outcome: 'small-sent' });
    expect(by.get('bob@example.com')!.tier).toBeUndefined();
    const [annRun] = await runsOf('ann@example.com', 'branchy');
    expect(annRun!.steps.map((s) => [s.step_id, s.result])).toEqual([['check', 'then'], ['big', 'updated'], ['sent-check', 'else'], ['done-other', 'updated'], ['end', 'exit']]);
    expect(annRun!.status).toBe('exited');
  });

  it('waits a duration, then continues; counts show the step as waiting meanwhile', async () => {
    await start('waiter', journey('waiter', `  - id: pause\n    wait: { seconds: 1 }\n  - id: after\n    email: { template: after-wait }`));
    await enrollInJourney(t.journeys.engine, ws.id, 'waiter', { email: 'dee@example.com' });
    await t.journeys.runDue();
    const during = await countJourney(t.db.kysely, ws.id, 'waiter');
    expect(during.steps.find((s) => s.step_id === 'pause')).toMatchObject({ entered: 1, waiting: 1, completed: 0 });
    await runUntil(t, settled('dee@example.com', 'waiter'));
    const after = await countJourney(t.db.kysely, ws.id, 'waiter');
    expect(after.steps).toMatchObject([
      { step_id: 'pause', entered: 1, waiting: 0, completed: 1 },
      { step_id: 'after', entered: 1, completed: 1, blocked: 0 },
    ]);
    expect(after.runs).toMatchObject({ entered: 1, completed: 1 });
  });

  it('waits for an event: the event moves the run on at once; without it the timeout path runs', async () => {
    await start(
      'evwait',
      journey(
        'evwait',
        `  - id: w
    wait: { until_event: { name: Trial Started, where: [{ property: plan, op: eq, value: pro }] }, timeout: { seconds: 2 } }
    on_timeout: nudge
  - id: thanks
    update: { trait: { name: evwait, value: event } }
    exit: true
  - id: nudge
    update: { trait: { name: evwait, value: timeout } }`,
      ).replace('    exit: true\n', '    next: fin\n') + '\n  - id: fin\n    exit: true',
    );
    await enrollInJourney(t.journeys.engine, ws.id, 'evwait', { email: 'ann@example.com' });
    await enrollInJourney(t.journeys.engine, ws.id, 'evwait', { email: 'bob@example.com' });
    await t.journeys.runDue();
    await track(t, ws, 'ann@example.com', 'Trial Started', { plan: 'basic' });
    await track(t, ws, 'ann@example.com', 'Trial Started', { plan: 'pro' });
    await runUntil(t, async () => (await settled('ann@example.com', 'evwait')()) && (await settled('bob@example.com', 'evwait')()));
    const [ann] = await runsOf('ann@example.com', 'evwait');
    const [bob] = await runsOf('bob@example.com', 'evwait');
    expect(ann!.steps.map((s) => [s.step_id, s.result])).toEqual([['w', 'event'], ['thanks', 'updated'], ['fin', 'exit']]);
    expect(bob!.steps.map((s) => [s.step_id, s.result])).toEqual([['w', 'timeout'], ['nudge', 'updated'], ['fin', 'exit']]);
  });

  it('sends webhook, SMS and notify-owner steps through the gate: signed posts to a real receiver, the SMS logged', async () => {
    const received: Array<{ path: string; body: Record<string, unknown>; signature: string | undefined }> = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown>, signature: req.headers['x-keel-signature'] as string | undefined });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      await updatePolicies(t.db.kysely, ws.id, { webhookAllowedHosts: ['127.0.0.1'], webhookSecret: 'journey-hook-secret-0123456789' }, actor);
      await start(
        'channels',
        journey('channels', `  - id: hook\n    webhook: { url: "${base}/hook", payload: { a: 1 } }\n  - id: text\n    sms: { text: "Hi" }\n  - id: owner\n    notify_owner: { url: "${base}/owner", message: "hot lead" }`),
      );
      await enrollInJourney(t.journeys.engine, ws.id, 'channels', { email: 'cy@example.com' });
      await runUntil(t, settled('cy@example.com', 'channels'));
      const [run] = await runsOf('cy@example.com', 'channels');
      expect(run!.steps.map((s) => [s.step_id, s.status, s.result])).toEqual([
        ['hook', 'completed', 'sent'],
        ['text', 'completed', 'sent'],
        ['owner', 'completed', 'sent'],
      ]);
      expect(received.map((r) => r.path)).toEqual(['/hook', '/owner']);
      expect(received[0]!.body).toEqual({ a: 1 });
      expect(received[1]!.body).toMatchObject({ type: 'notify_owner', message: 'hot lead', owner_email: 'rep@acme.example', step_id: 'owner' });
      expect(received.every((r) => /^v1=[0-9a-f]{64}$/.test(r.signature ?? ''))).toBe(true);
      const sms = (await messagesOf(t, ws.id)).filter((m) => m.channel === 'sms' && m.contact_id === ids.get('cy@example.com'));
      expect(sms.map((m) => m.id)).toEqual([run!.steps[1]!.message_id]);
      const counts = await countJourney(t.db.kysely, ws.id, 'channels');
      expect(counts.steps.every((s) => s.blocked === 0 && s.completed === 1)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('exits on unsubscribe when configured, before the next step', async () => {
    await start('unsub', journey('unsub', `  - id: w\n    wait: { seconds: 1 }\n  - id: mail\n    email: { template: late }`, 'exit: { on_unsubscribe: true }'));
    await enrollInJourney(t.journeys.engine, ws.id, 'unsub', { email: 'bob@example.com' });
    await t.journeys.runDue();
    await recordConsent(t.db.kysely, ws.id, [{ contactId: ids.get('bob@example.com')!, topicKey: 'news', status: 'opted_out', source: 'form' }], actor);
    await runUntil(t, settled('bob@example.com', 'unsub'));
    const [run] = await runsOf('bob@example.com', 'unsub');
    expect(run).toMatchObject({ status: 'exited', end_reason: 'unsubscribed' });
    expect(run!.steps.map((s) => s.step_id)).toEqual(['w']);
  });

  it('adds to a static list and moves the stage', async () => {
    await applySegment(t.db.kysely, ws.id, { name: 'VIPs', type: 'static', members: [] }, actor);
    await start('listy', journey('listy', `  - id: add\n    update: { add_to_list: VIPs }\n  - id: stage\n    update: { stage: { value: SQL } }`));
    await enrollInJourney(t.journeys.engine, ws.id, 'listy', { email: 'dee@example.com' });
    await runUntil(t, settled('dee@example.com', 'listy'));
    const member = await sql`select 1 from segment_members m join segments s on s.id = m.segment_id where s.name = 'VIPs' and m.member_id = ${ids.get('dee@example.com')!}::uuid`.execute(t.db.kysely);
    expect(member.rows).toHaveLength(1);
    const stage = await sql<{ stage: string }>`select stage from contact_stages where contact_id = ${ids.get('dee@example.com')!}::uuid and dimension = 'lifecycle'`.execute(t.db.kysely);
    expect(stage.rows[0]?.stage).toBe('SQL');
  });
});
