import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { applySegment, changeStaticSegmentMembers } from '../audiences/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { actor, makeContacts, messagesOf, prepareSendingWorkspace } from './journey-fixtures.ts';
import { applyJourney, countJourney, launchJourney } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let ids: Map<string, string>;
const PEOPLE = 40;

beforeAll(async () => {
  t = await createTestApp();
  ws = await prepareSendingWorkspace(t, 'batches');
  ids = await makeContacts(
    t,
    ws,
    Array.from({ length: PEOPLE }, (_, i) => ({ email: `p${i}@example.com`, traits: { plan: i % 2 === 0 ? 'enterprise' : 'free' } })),
  );
  await applySegment(t.db.kysely, ws.id, { name: 'Everyone', type: 'static', members: [] }, actor);
  await changeStaticSegmentMembers(t.db.kysely, ws.id, 'Everyone', { add: [...ids.values()] }, actor);
});
afterAll(async () => t.close());

const stepRows = (key: string) =>
  sql<{ contact_id: string; step_id: string; status: string; result: string | null; n: number }>`
    select r.contact_id, s.step_id, s.status, s.result, count(*)::int as n from journey_step_runs s
    join journey_runs r on r.workspace_id = s.workspace_id and r.id = s.run_id join journeys j on j.id = r.journey_id
    where j.workspace_id = ${ws.id}::uuid and j.key = ${key} group by r.contact_id, s.step_id, s.status, s.result`.execute(t.db.kysely);

describe(`journey steps in batches (${testDatabaseLabel})`, () => {
  it('runs many contacts through branch, update, a branch on the updated trait and exit, each step once, a branch seeing the update before it', async () => {
    await applyJourney(
      t.db.kysely,
      ws.id,
      `key: chain
name: chain
topic: news
trigger: { segment: { name: Everyone, include_existing: true } }
steps:
  - id: plan
    branch: { conditions: [{ trait: { name: plan, op: eq, value: enterprise } }], then: mark, else: fin }
  - id: mark
    update: { trait: { name: tier, value: gold } }
  - id: gold
    branch: { conditions: [{ trait: { name: tier, op: eq, value: gold } }], then: fin, else: fin }
  - id: fin
    exit: true
`,
      actor,
    );
    const launched = await launchJourney(t.journeys.engine, ws.id, 'chain', actor);
    expect(launched.enrolled).toBe(PEOPLE);
    await t.journeys.runDue();
    const counts = await countJourney(t.db.kysely, ws.id, 'chain');
    expect(counts.runs.exited).toBe(PEOPLE);
    const rows = (await stepRows('chain')).rows;
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const enterprise = [...ids].filter(([email]) => Number(email.slice(1, email.indexOf('@'))) % 2 === 0).map(([, id]) => id);
    const of = (step: string) => rows.filter((r) => r.step_id === step);
    expect(of('plan')).toHaveLength(PEOPLE);
    expect(of('mark').map((r) => r.contact_id).sort()).toEqual([...enterprise].sort());
    // The second branch ran after the update in the same batch and saw it.
    expect(of('gold').every((r) => r.result === 'then')).toBe(true);
    expect(of('fin').every((r) => r.status === 'exited')).toBe(true);
    const gold = await sql<{ n: number }>`select count(*)::int as n from contacts where workspace_id = ${ws.id}::uuid and traits->>'tier' = 'gold'`.execute(t.db.kysely);
    expect(gold.rows[0]!.n).toBe(enterprise.length);
  });

  it('stops a chain at a message step and a wait: each gets a job, the message goes out once per contact', async () => {
    await applyJourney(
      t.db.kysely,
      ws.id,
      `key: mixed
name: mixed
topic: news
trigger: { segment: { name: Everyone, include_existing: true } }
steps:
  - id: split
    split: { variants: [{ name: a, weight: 1, next: hello }, { name: b, weight: 1, next: hello }] }
  - id: hello
    email: { template: hello }
  - id: pause
    wait: { seconds: 1 }
  - id: done
    goal: true
`,
      actor,
    );
    await launchJourney(t.journeys.engine, ws.id, 'mixed', actor);
    await t.journeys.runDue();
    let counts = await countJourney(t.db.kysely, ws.id, 'mixed');
    expect(counts.steps.find((s) => s.step_id === 'pause')).toMatchObject({ entered: PEOPLE, waiting: PEOPLE });
    const deadline = Date.now() + 20_000;
    while (counts.runs.completed < PEOPLE && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      await t.journeys.runDue();
      counts = await countJourney(t.db.kysely, ws.id, 'mixed');
    }
    expect(counts.runs.completed).toBe(PEOPLE);
    const sent = (await messagesOf(t, ws.id)).filter((m) => m.subject === '[hello]');
    expect(sent).toHaveLength(PEOPLE);
    expect(new Set(sent.map((m) => m.contact_id)).size).toBe(PEOPLE);
    expect((await stepRows('mixed')).rows.every((r) => r.n === 1)).toBe(true);
  });
});
