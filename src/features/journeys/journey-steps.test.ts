import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { applySegment } from '../audiences/index.ts';
import { recordConsent } from '../consent/index.ts';
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
    { email: 'cy@example.com', traits: { plan: 'enterprise', owner_email: 'rep@acme.example' } },
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

  it('sends webhook and SMS steps through the gate and records what it answers (blocked today: no transport)', async () => {
    await start(
      'channels',
      journey('channels', `  - id: hook\n    webhook: { url: "http://127.0.0.1:9/hook", payload: { a: 1 } }\n  - id: text\n    sms: { text: "Hi" }\n  - id: owner\n    notify_owner: { url: "http://127.0.0.1:9/owner", message: "hot lead" }`),
    );
    await enrollInJourney(t.journeys.engine, ws.id, 'channels', { email: 'cy@example.com' });
    await runUntil(t, settled('cy@example.com', 'channels'));
    const [run] = await runsOf('cy@example.com', 'channels');
    // MERGE: with the channels branch these become `sent`/`queued` through its transports.
    expect(run!.steps.map((s) => [s.step_id, s.status, s.result])).toEqual([
      ['hook', 'skipped', 'blocked'],
      ['text', 'skipped', 'blocked'],
      ['owner', 'skipped', 'blocked'],
    ]);
    expect(run!.steps[0]!.detail).toMatchObject({ reason: 'no_transport' });
    const counts = await countJourney(t.db.kysely, ws.id, 'channels');
    expect(counts.steps.every((s) => s.blocked === 1 && s.completed === 1)).toBe(true);
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
