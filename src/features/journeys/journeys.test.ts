import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { bearer, createTestApp, type TestApp } from '../../testing/test-app.ts';
import { applySegment } from '../audiences/index.ts';
import { requestErasure } from '../privacy/index.ts';
import { sql } from 'kysely';
import { applyTemplates } from '../templates/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { actor, makeContacts, messagesOf, prepareSendingWorkspace, runUntil, track } from './journey-fixtures.ts';
import { applyJourney, countJourney, enrollInJourney, JOURNEY_JSON_SCHEMA, launchJourney, listContactRuns, migrateRuns, parseJourneyDefinition, setJourneyState, simulateJourney } from './index.ts';
import { isHeldOut } from './enrollment.ts';
import { messageIdOf } from './step-keys.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let ids: Map<string, string>;
const emails = Array.from({ length: 40 }, (_, i) => `p${i}@example.com`);

const doc = (key: string, body: string) => `key: ${key}\nname: ${key}\ntopic: news\n${body}`;
const api = (path: string, init: RequestInit = {}) =>
  t.app.request(path, { ...init, headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

beforeAll(async () => {
  t = await createTestApp();
  ws = await prepareSendingWorkspace(t);
  ids = await makeContacts(t, ws, emails.map((email, i) => ({ email, traits: { plan: i % 2 === 0 ? 'enterprise' : 'free' } })));
});
afterAll(async () => t.close());

describe(`journey definitions (${testDatabaseLabel})`, () => {
  it('names the offending node by path: unknown fields, bad values, unknown step ids, unreachable steps, cycles without a wait', () => {
    const bad = doc('bad', `trigger: { manual: true }
steps:
  - id: a
    email: { template: w }
  - id: b
    wait: { days: 1 }
  - id: c
    email: { template: x }
  - id: d
    branch: { conditions: [{ stage: { stagee: lifecycle, op: eq, value: sql } }], then: a, else: c }`);
    expect(() => parseJourneyDefinition(bad)).toThrow('steps[3].branch.conditions[0].stage: unknown field "stagee"');
    try {
      parseJourneyDefinition(bad);
    } catch (error) {
      expect((error as { code: string }).code).toBe('invalid');
    }
    expect(() => parseJourneyDefinition(doc('x', 'trigger: { manual: true }\nsteps:\n  - id: a\n    wait: { until_time: "25:00" }'))).toThrow('steps[0].wait.until_time: a time of day is HH:MM (24 h), got "25:00"');
    expect(() => parseJourneyDefinition(doc('x', 'trigger: { manual: true }\nsteps:\n  - id: a\n    email: { template: w }\n    next: nowhere'))).toThrow('steps[0].next: unknown step id "nowhere"');
    expect(() => parseJourneyDefinition(doc('x', 'trigger: { manual: true }\nsteps:\n  - id: a\n    exit: true\n  - id: lost\n    email: { template: w }'))).toThrow('steps[1]: step "lost" is unreachable from the first step');
    expect(() => parseJourneyDefinition(doc('x', 'trigger: { manual: true }\nsteps:\n  - id: a\n    email: { template: w }\n  - id: b\n    update: { trait: { name: n, value: 1 } }\n    next: a'))).toThrow('the steps "a" -> "b" -> "a" form a cycle without a wait');
    // A loop through a wait is fine.
    expect(parseJourneyDefinition(doc('x', 'trigger: { manual: true }\nsteps:\n  - id: a\n    email: { template: w }\n  - id: b\n    wait: { days: 7 }\n    next: a')).steps).toHaveLength(2);
    expect(() => parseJourneyDefinition(doc('x', 'trigger: { manual: true, event: { name: E } }\nsteps:\n  - id: a\n    exit: true'))).toThrow('trigger: a trigger is exactly one of segment, event, stage, date, manual; got event, manual');
    expect(() => parseJourneyDefinition('key: [unclosed')).toThrow(/not valid YAML/);
  });

  it('checks the names it refers to when applied, and publishes its JSON Schema (kept in schemas/)', async () => {
    await expect(applyJourney(t.db.kysely, ws.id, doc('refs', 'trigger: { segment: { name: Nope } }\nsteps:\n  - id: a\n    exit: true').replace('topic: news', 'topic: nada'), actor)).rejects.toThrow(
      'topic: no subscription topic "nada" (keel topics list); trigger.segment.name: no segment "Nope"',
    );
    const committed = JSON.parse(readFileSync(new URL('../../../schemas/journey.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(committed, 'schemas/journey.schema.json is stale: run keel schemas journey > schemas/journey.schema.json').toEqual(JOURNEY_JSON_SCHEMA);
  });

  it('the demo nurture journey is a valid document', () => {
    const demo = parseJourneyDefinition(readFileSync(new URL('../demo/demo-nurture-journey.yaml', import.meta.url), 'utf8'));
    expect(demo).toMatchObject({ holdout: 10, goal: { event: { name: 'Demo Requested' } }, trigger: { segment: { name: 'Enterprise accounts' } } });
  });
});

describe(`entry rules, versions, goals, holdout, splits (${testDatabaseLabel})`, () => {
  it('once: a second enrollment is refused; every_time with max_concurrent 1: refused while a run is active', async () => {
    await applyJourney(t.db.kysely, ws.id, doc('once', 'trigger: { manual: true }\nsteps:\n  - id: a\n    update: { trait: { name: once, value: 1 } }'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'once', actor);
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'once', { email: emails[0] })).toMatchObject({ enrolled: true });
    await t.journeys.runDue();
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'once', { email: emails[0] })).toMatchObject({ enrolled: false, reason: 'already_entered' });

    await applyJourney(t.db.kysely, ws.id, doc('again', 'trigger: { manual: true }\nentry: { rule: every_time }\nsteps:\n  - id: w\n    wait: { seconds: 1 }'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'again', actor);
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'again', { email: emails[0] })).toMatchObject({ enrolled: true });
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'again', { email: emails[0] })).toMatchObject({ enrolled: false, reason: 'max_concurrent' });
    await runUntil(t, async () => (await listContactRuns(t.db.kysely, ws.id, { email: emails[0] }, 'again')).every((r) => r.status === 'completed'));
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'again', { email: emails[0] })).toMatchObject({ enrolled: true });

    await applyJourney(t.db.kysely, ws.id, doc('period', 'trigger: { manual: true }\nentry: { rule: once_per_period, period_days: 30 }\nsteps:\n  - id: a\n    exit: true'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'period', actor);
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'period', { email: emails[1] })).toMatchObject({ enrolled: true });
    await t.journeys.runDue();
    expect(await enrollInJourney(t.journeys.engine, ws.id, 'period', { email: emails[1] })).toMatchObject({ enrolled: false, reason: 'entered_this_period' });
  });

  it('an edit makes a new version; runs stay on theirs until migrated explicitly', async () => {
    const v1 = doc('versioned', 'trigger: { manual: true }\nsteps:\n  - id: w\n    wait: { seconds: 1 }\n  - id: mark\n    update: { trait: { name: version_seen, value: one } }');
    expect(await applyJourney(t.db.kysely, ws.id, v1, actor)).toMatchObject({ created: true, version: 1 });
    expect(await applyJourney(t.db.kysely, ws.id, v1, actor)).toMatchObject({ changed: false, version: 1 });
    await launchJourney(t.journeys.engine, ws.id, 'versioned', actor);
    await enrollInJourney(t.journeys.engine, ws.id, 'versioned', { email: emails[2] });
    await enrollInJourney(t.journeys.engine, ws.id, 'versioned', { email: emails[3] });
    await t.journeys.runDue();
    expect(await applyJourney(t.db.kysely, ws.id, v1.replace('value: one', 'value: two'), actor)).toMatchObject({ changed: true, version: 2 });
    // emails[3]'s run is migrated; emails[2]'s stays on version 1.
    const [run3] = await listContactRuns(t.db.kysely, ws.id, { email: emails[3] }, 'versioned');
    expect(run3!.version).toBe(1);
    const migrated = await migrateRuns(t.journeys.engine, ws.id, 'versioned', actor);
    expect(migrated.migrated).toBe(2);
    await runUntil(t, async () => (await listContactRuns(t.db.kysely, ws.id, { email: emails[3] }, 'versioned')).every((r) => r.status === 'completed'));
    expect((await listContactRuns(t.db.kysely, ws.id, { email: emails[3] }, 'versioned'))[0]!.version).toBe(2);
  });

  it('keeps runs on their entry version without a migration', async () => {
    const v1 = doc('sticky', 'trigger: { manual: true }\nsteps:\n  - id: w\n    wait: { seconds: 1 }\n  - id: mark\n    update: { trait: { name: sticky, value: one } }');
    await applyJourney(t.db.kysely, ws.id, v1, actor);
    await launchJourney(t.journeys.engine, ws.id, 'sticky', actor);
    await enrollInJourney(t.journeys.engine, ws.id, 'sticky', { email: emails[4] });
    await t.journeys.runDue();
    await applyJourney(t.db.kysely, ws.id, v1.replace('value: one', 'value: two'), actor);
    await enrollInJourney(t.journeys.engine, ws.id, 'sticky', { email: emails[5] });
    await runUntil(t, async () => (await countJourney(t.db.kysely, ws.id, 'sticky')).runs.completed === 2);
    const traits = async (email: string) => (await (await api(`/api/v1/contacts/${ids.get(email)}`)).json()) as { traits: Record<string, unknown> };
    expect((await traits(emails[4]!)).traits.sticky).toBe('one');
    expect((await traits(emails[5]!)).traits.sticky).toBe('two');
  });

  it('a goal event converts the run (at the next step or when the event arrives) and counts it', async () => {
    await applyJourney(t.db.kysely, ws.id, doc('goaly', 'trigger: { manual: true }\ngoal: { event: { name: Demo Requested } }\nsteps:\n  - id: w\n    wait: { seconds: 30 }\n  - id: never\n    email: { template: never }'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'goaly', actor);
    await enrollInJourney(t.journeys.engine, ws.id, 'goaly', { email: emails[6] });
    await t.journeys.runDue();
    await track(t, ws, emails[6]!, 'Demo Requested');
    await t.journeys.runDue();
    const [run] = await listContactRuns(t.db.kysely, ws.id, { email: emails[6] }, 'goaly');
    expect(run).toMatchObject({ status: 'converted', end_reason: 'goal' });
    const counts = await countJourney(t.db.kysely, ws.id, 'goaly');
    expect(counts.runs.converted).toBe(1);
    expect(counts.steps.find((s) => s.step_id === 'w')).toMatchObject({ entered: 1, converted: 1, waiting: 0 });
    expect(counts.steps.find((s) => s.step_id === 'never')).toMatchObject({ entered: 0 });
  });

  it('holds out a fixed share of contacts (the same ones on every draw) and splits the rest by weight', async () => {
    const draws = emails.map((e) => isHeldOut('journey-x', ids.get(e)!, 25));
    expect(emails.map((e) => isHeldOut('journey-x', ids.get(e)!, 25))).toEqual(draws);
    await applyJourney(
      t.db.kysely,
      ws.id,
      doc('abn', `trigger: { manual: true }\nholdout: 20\nsteps:\n  - id: split\n    split: { variants: [{ name: A, weight: 1, next: a }, { name: B, weight: 3, next: b }] }\n  - id: a\n    email: { template: variant-a }\n    next: fin\n  - id: b\n    email: { template: variant-b }\n  - id: fin\n    exit: true`),
      actor,
    );
    await launchJourney(t.journeys.engine, ws.id, 'abn', actor);
    for (const email of emails.slice(10)) await enrollInJourney(t.journeys.engine, ws.id, 'abn', { email });
    await runUntil(t, async () => (await countJourney(t.db.kysely, ws.id, 'abn')).runs.active === 0);
    const counts = await countJourney(t.db.kysely, ws.id, 'abn');
    const held = counts.variants.holdout?.entered ?? 0;
    expect(held + (counts.variants.A?.entered ?? 0) + (counts.variants.B?.entered ?? 0)).toBe(30);
    expect(counts.runs.held_out).toBe(held);
    expect(held).toBeGreaterThan(0);
    expect(counts.variants.B!.entered).toBeGreaterThan(counts.variants.A!.entered);
    // Held-out contacts got nothing; the others got exactly their variant's message, with the derived id.
    const messages = (await messagesOf(t, ws.id)).filter((m) => m.subject.startsWith('[variant-'));
    expect(messages).toHaveLength(30 - held);
    for (const email of emails.slice(10)) {
      const [run] = await listContactRuns(t.db.kysely, ws.id, { email }, 'abn');
      const mine = messages.filter((m) => m.contact_id === ids.get(email));
      if (run!.variant === 'holdout') expect(mine).toHaveLength(0);
      else {
        expect(mine.map((m) => m.subject)).toEqual([`[variant-${run!.variant!.toLowerCase()}]`]);
        const step = run!.steps.find((s) => s.kind === 'email')!;
        expect(mine[0]!.id).toBe(messageIdOf({ journeyId: run!.journey_id, version: run!.version, runId: run!.id, contactId: ids.get(email)!, stepId: step.step_id, seq: step.seq }));
      }
    }
  });

  it('enters on a segment trigger and exits when the contact leaves the segment', async () => {
    await applySegment(t.db.kysely, ws.id, { name: 'Picked', type: 'static', members: [] }, actor);
    await applyJourney(t.db.kysely, ws.id, doc('seg', 'trigger: { segment: { name: Picked } }\nexit: { on_leaving_segment: true }\nsteps:\n  - id: w\n    wait: { seconds: 30 }'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'seg', actor);
    const member = ids.get(emails[7]!)!;
    await api(`/api/v1/segments/Picked/members`, { method: 'POST', body: JSON.stringify({ add: [member] }) });
    await t.journeys.runDue();
    expect((await listContactRuns(t.db.kysely, ws.id, { email: emails[7] }, 'seg'))[0]).toMatchObject({ status: 'active' });
    await api(`/api/v1/segments/Picked/members`, { method: 'POST', body: JSON.stringify({ remove: [member] }) });
    await t.journeys.runDue();
    expect((await listContactRuns(t.db.kysely, ws.id, { email: emails[7] }, 'seg'))[0]).toMatchObject({ status: 'exited', end_reason: 'left_segment' });
  });

  it('pause holds runs and stops entries; launch resumes them', async () => {
    await applyJourney(t.db.kysely, ws.id, doc('pausy', 'trigger: { manual: true }\nsteps:\n  - id: w\n    wait: { seconds: 1 }\n  - id: mark\n    update: { trait: { name: pausy, value: 1 } }'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'pausy', actor);
    await enrollInJourney(t.journeys.engine, ws.id, 'pausy', { email: emails[8] });
    await t.journeys.runDue();
    await setJourneyState(t.db.kysely, ws.id, 'pausy', 'paused', actor);
    await expect(enrollInJourney(t.journeys.engine, ws.id, 'pausy', { email: emails[9] })).rejects.toThrow('journey pausy is paused');
    await new Promise((r) => setTimeout(r, 1200));
    await t.journeys.runDue();
    const [held] = await listContactRuns(t.db.kysely, ws.id, { email: emails[8] }, 'pausy');
    expect(held).toMatchObject({ status: 'active', wake_at: null });
    expect((await launchJourney(t.journeys.engine, ws.id, 'pausy', actor)).resumed).toBe(1);
    await runUntil(t, async () => (await listContactRuns(t.db.kysely, ws.id, { email: emails[8] }, 'pausy'))[0]!.status === 'completed');
  });
});

describe(`privacy (${testDatabaseLabel})`, () => {
  it('erasure removes the runs and step executions of the person', async () => {
    const [extra] = [...(await makeContacts(t, ws, [{ email: 'erase-me@example.com' }])).entries()].filter(([e]) => e === 'erase-me@example.com');
    await applyJourney(t.db.kysely, ws.id, doc('erasable', 'trigger: { manual: true }\nsteps:\n  - id: hi\n    email: { template: erasable }'), actor);
    await launchJourney(t.journeys.engine, ws.id, 'erasable', actor);
    await enrollInJourney(t.journeys.engine, ws.id, 'erasable', { email: 'erase-me@example.com' });
    await t.journeys.runDue();
    const count = async () => (await sql<{ n: number }>`select (select count(*) from journey_runs where contact_id = ${extra![1]}::uuid)::int + (select count(*) from journey_step_runs s join journey_runs r on r.id = s.run_id where r.contact_id = ${extra![1]}::uuid)::int as n`.execute(t.db.kysely)).rows[0]!.n;
    expect(await count()).toBe(2);
    await requestErasure(t.db.kysely, ws.id, 'erase-me@example.com', actor);
    expect(await count()).toBe(0);
  });
});

describe(`REST and the dry run (${testDatabaseLabel})`, () => {
  it('simulates 30 days on a simulated clock without storing or sending anything', async () => {
    const before = (await messagesOf(t, ws.id)).length;
    const yaml = doc('sim', `trigger: { manual: true }\nsteps:\n  - id: hello\n    email: { template: hello }\n  - id: w\n    wait: { days: 3 }\n  - id: big\n    branch: { conditions: [{ trait: { name: plan, op: eq, value: enterprise } }], then: follow, else: fin }\n  - id: follow\n    email: { template: follow-up }\n  - id: hook\n    webhook: { url: "https://crm.example/hook" }\n  - id: fin\n    exit: true`);
    const report = await simulateJourney(t.db.kysely, t.journeys.engine.effects, t.journeys.engine.logger, ws.id, yaml, { days: 30, now: new Date('2026-03-02T12:00:00Z') });
    expect(report.audience).toBe(40);
    expect(report.counts.steps.find((s) => s.step_id === 'hello')).toMatchObject({ entered: 40, completed: 40 });
    expect(report.counts.steps.find((s) => s.step_id === 'follow')!.entered).toBeGreaterThan(0);
    expect(report.messages_per_day[0]).toMatchObject({ day: '2026-03-02', email: 40 });
    expect(report.messages_per_day[1]!.day).toBe('2026-03-05');
    // The gate would refuse the webhook: the workspace allows no webhook host.
    expect(report.blocked).toEqual([expect.objectContaining({ step_id: 'hook', reason: 'host_not_allowed' })]);
    // Every fixture template has a default for each field: nothing would fail to render.
    expect(report.render_failures).toEqual([]);
    expect((await messagesOf(t, ws.id)).length).toBe(before);
    const sampled = await simulateJourney(t.db.kysely, t.journeys.engine.effects, t.journeys.engine.logger, ws.id, yaml, { days: 30, sample: 5 });
    expect(sampled.simulated_contacts).toBe(5);
    expect((await api('/api/v1/journeys/sim')).status).toBe(404);
  });

  it('reports the email steps whose template would render with missing data, and sends none of them', async () => {
    await applyTemplates(t.db.kysely, ws.id, 'kind: template\nkey: needs-plan\nname: needs plan\nsubject: "Your {{ contact.plan_name }} plan"\nbody: "<p>Hi</p>"\n', actor);
    const yaml = doc('simfail', 'trigger: { manual: true }\nsteps:\n  - id: mail\n    email: { template: needs-plan }');
    const report = await simulateJourney(t.db.kysely, t.journeys.engine.effects, t.journeys.engine.logger, ws.id, yaml, { days: 1 });
    expect(report.render_failures).toEqual([expect.objectContaining({ step_id: 'mail', contacts: report.audience, example: expect.stringContaining('contact.plan_name') })]);
    expect(report.messages_per_day.reduce((n, d) => n + (d.email ?? 0), 0)).toBe(0);
  });

  it('serves apply, launch, enroll, counts, runs and simulate under /api/v1/journeys (in the OpenAPI document)', async () => {
    const yaml = doc('rest', 'trigger: { manual: true }\nsteps:\n  - id: hi\n    email: { template: rest }');
    const applied = await api('/api/v1/journeys', { method: 'POST', body: JSON.stringify({ yaml }) });
    expect(applied.status).toBe(200);
    expect(await applied.json()).toMatchObject({ key: 'rest', version: 1, created: true, state: 'draft' });
    const invalid = await api('/api/v1/journeys', { method: 'POST', body: JSON.stringify({ yaml: yaml.replace('template: rest', 'templat: rest') }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: { message: string } }).error.message).toContain('steps[0].email: unknown field "templat"');
    expect((await api('/api/v1/journeys/rest/launch', { method: 'POST', body: '{}' })).status).toBe(200);
    expect(await (await api('/api/v1/journeys/rest/enrollments', { method: 'POST', body: JSON.stringify({ email: emails[9] }) })).json()).toMatchObject({ enrolled: true });
    await t.journeys.runDue();
    const counts = (await (await api('/api/v1/journeys/rest/counts')).json()) as { steps: Array<{ step_id: string; completed: number }> };
    expect(counts.steps).toEqual([expect.objectContaining({ step_id: 'hi', entered: 1, completed: 1 })]);
    const runs = (await (await api(`/api/v1/journeys/runs?email=${emails[9]}&journey=rest`)).json()) as { data: Array<{ status: string }> };
    expect(runs.data).toMatchObject([{ status: 'completed' }]);
    const sim = await api('/api/v1/journeys/simulate?days=7&sample=3', { method: 'POST', body: JSON.stringify({ yaml: yaml.replace('key: rest', 'key: rest-sim') }) });
    expect(((await sim.json()) as { simulated_contacts: number }).simulated_contacts).toBe(3);
    const openapi = (await (await t.app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/v1/journeys', '/api/v1/journeys/{key}/counts', '/api/v1/journeys/{key}/enrollments', '/api/v1/journeys/simulate', '/api/v1/journeys/runs', '/api/v1/journeys/{key}/migrate']) expect(openapi.paths[path], path).toBeDefined();
  });
});
