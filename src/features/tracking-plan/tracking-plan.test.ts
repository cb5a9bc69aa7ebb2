import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import { listAuditEntries } from '../audit/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { buildTrackingPlanJsonSchema } from './index.ts';

const PLAN = `
name: Test plan
rules:
  unknown_event: count
  unknown_property: flag
events:
  - name: Demo Requested
    properties:
      team_size: { type: string, enum: ["1-5", "6-20", "21-50"] }
      product: { type: string, required: true, on_violation: block }
      seats: { type: integer, min: 1, max: 10000 }
  - name: Signed Up
    additional_properties: true
    properties:
      plan: { type: string, pattern: "^(free|pro)$" }
traits:
  identify:
    additional_properties: true
    properties:
      email: { type: string, pattern: "^[^@\\\\s]+@[^@\\\\s]+$", required: true }
  group:
    properties:
      employees: { type: integer, min: 1 }
      name: { type: string }
`;

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const applyPlan = (ws: CreatedWorkspace, yaml: string) =>
  t.app.request('/api/v1/tracking-plan', { method: 'POST', body: JSON.stringify({ yaml }), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });

async function ingest(ws: CreatedWorkspace, batch: unknown[]): Promise<void> {
  const res = await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) });
  expect(res.status).toBe(200);
  await t.drain();
}

const track = (messageId: string, event: string, properties: Record<string, unknown>) => ({ type: 'track', userId: 'u1', messageId, event, properties, timestamp: '2026-03-04T10:00:00Z' });

describe(`tracking plan through real ingest (${testDatabaseLabel})`, () => {
  it('lets everything pass and records nothing while no plan is applied', async () => {
    const ws = await t.workspace('no plan');
    await ingest(ws, [track('m1', 'Anything', { x: 1 }), { type: 'identify', userId: 'u1', traits: { email: 'not-an-email' } }]);
    expect((await getJson(t.app, '/api/v1/events', ws.adminKey.key)).body.data).toHaveLength(2);
    expect((await getJson(t.app, '/api/v1/tracking-plan/violations', ws.adminKey.key)).body.data).toHaveLength(0);
    expect((await getJson(t.app, '/api/v1/tracking-plan/unknowns', ws.adminKey.key)).body.data).toHaveLength(0);
    expect((await getJson(t.app, '/api/v1/tracking-plan', ws.adminKey.key)).status).toBe(404);
  });

  it('applies versions with an audit record, and an identical plan makes no new version', async () => {
    const ws = await t.workspace('versions');
    const first = await applyPlan(ws, PLAN);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ version: 1, changed: true, events: 2, identifyTraits: 1, groupTraits: 2 });
    expect(await (await applyPlan(ws, PLAN)).json()).toMatchObject({ version: 1, changed: false });
    expect(await (await applyPlan(ws, `${PLAN}\ndescription: v2\n`)).json()).toMatchObject({ version: 2, changed: true });
    const shown = await getJson(t.app, '/api/v1/tracking-plan', ws.adminKey.key);
    expect(shown.body).toMatchObject({ version: 2, applied_by: `api_key:${ws.adminKey.id}` });
    expect(String(shown.body.source_yaml)).toContain('description: v2');
    expect((await getJson(t.app, '/api/v1/tracking-plan?version=1', ws.adminKey.key)).body.version).toBe(1);
    const audit = await listAuditEntries(t.db.kysely, ws.id, { action: 'tracking_plan.applied', limit: 10 });
    expect(audit.map((a) => a.object_id)).toEqual(['2', '1']);
    expect(audit[0]).toMatchObject({ actor_kind: 'api_key', actor_id: ws.adminKey.id, details: { version: 2, previous_version: 1 } });
  });

  it('flags, counts, blocks and reports unknowns per rule on every event', async () => {
    const ws = await t.workspace('rules');
    expect((await applyPlan(ws, PLAN)).status).toBe(200);
    const hostile = `<script>alert("x")</script> ' OR 1=1; -- \u202Eevil ${'z'.repeat(5000)}`;
    await ingest(ws, [
      track('ok', 'Demo Requested', { product: 'Keel', team_size: '1-5', seats: 5 }),
      track('enum', 'Demo Requested', { product: 'Keel', team_size: '50+' }),
      track('blocked', 'Demo Requested', { team_size: '6-20' }),
      track('hostile', 'Demo Requested', { product: 'Keel', team_size: hostile, seats: 2.5 }),
      track('unknown-event', 'Totally New Event', { a: 1 }),
      track('unknown-prop', 'Demo Requested', { product: 'Keel', colour: 'blue' }),
      track('pattern', 'Signed Up', { plan: 'enterprise', extra: true }),
      { type: 'identify', userId: 'u1', messageId: 'id-bad', traits: { email: 'nope', firstName: 'Ada' }, timestamp: '2026-03-04T11:00:00Z' },
      { type: 'group', userId: 'u1', groupId: 'g1', messageId: 'grp', traits: { name: 'Acme', employees: 0, website: 'acme.test' }, timestamp: '2026-03-04T12:00:00Z' },
    ]);

    // The blocked event is refused with its reason, naming field; everything else is stored.
    const stored = (await getJson(t.app, '/api/v1/events?limit=50', ws.adminKey.key)).body.data!;
    expect(stored).toHaveLength(8);
    const rejected = (await getJson(t.app, '/api/v1/rejected-events', ws.adminKey.key)).body.data!;
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ message_id: 'blocked', field: 'properties.product' });
    expect(rejected[0]!.reason).toMatch(/blocked by tracking plan v1: properties.product is required and missing \(track:Demo Requested, rule required\)/);
    expect(JSON.parse(String(rejected[0]!.payload))).toMatchObject({ messageId: 'blocked', properties: { team_size: '6-20' } });

    const violations = (await getJson(t.app, '/api/v1/tracking-plan/violations?limit=100', ws.adminKey.key)).body.data!;
    const byMessage = (id: string) => violations.filter((v) => v.message_id === id).map((v) => `${v.rule} ${v.field} ${v.action}`).sort();
    expect(byMessage('ok')).toEqual([]);
    expect(byMessage('enum')).toEqual(['enum properties.team_size flag']);
    expect(byMessage('blocked')).toEqual(['required properties.product block']);
    expect(byMessage('hostile')).toEqual(['enum properties.team_size flag', 'type properties.seats flag']);
    expect(byMessage('unknown-prop')).toEqual(['unknown_property properties.colour flag']);
    expect(byMessage('pattern')).toEqual(['pattern properties.plan flag']);
    expect(byMessage('id-bad')).toEqual(['pattern traits.email flag']);
    // unknown_trait defaults to count: listed under unknowns below, no violation row.
    expect(byMessage('grp')).toEqual(['min traits.employees flag']);
    // unknown_event is set to count: counted and listed, never stored as a violation row.
    expect(byMessage('unknown-event')).toEqual([]);
    const enumRow = violations.find((v) => v.message_id === 'enum')!;
    expect(enumRow.reason).toBe('properties.team_size = "50+" is not one of "1-5", "6-20", "21-50" (track:Demo Requested, rule enum)');
    const hostileRow = violations.find((v) => v.message_id === 'hostile' && v.rule === 'enum')!;
    expect(String(hostileRow.value).length).toBeLessThan(210);
    expect(String(hostileRow.value)).toContain('<script>alert(\\"x\\")</script>');

    const counts = (await getJson(t.app, '/api/v1/tracking-plan/violation-counts', ws.adminKey.key)).body.data!;
    expect(counts).toContainEqual({ day: '2026-03-04', rule: 'unknown_event', action: 'count', violations: 1 });
    expect(counts).toContainEqual({ day: '2026-03-04', rule: 'enum', action: 'flag', violations: 2 });
    const enumOnly = (await getJson(t.app, '/api/v1/tracking-plan/violations?rule=enum', ws.adminKey.key)).body.data!;
    expect(enumOnly.map((v) => v.message_id).sort()).toEqual(['enum', 'hostile']);

    const unknowns = (await getJson(t.app, '/api/v1/tracking-plan/unknowns', ws.adminKey.key)).body.data!;
    expect(unknowns.map((u) => `${u.kind} ${u.name} ${u.seen}`).sort()).toEqual([
      'event track:Totally New Event 1',
      'property track:Demo Requested.colour 1',
      'trait group.website 1',
    ]);
    expect(unknowns.find((u) => u.kind === 'event')).toMatchObject({ example_message_id: 'unknown-event', example_value: '"Totally New Event"' });
  });

  it('picks up a new version at the next chunk: a rule moved to block refuses what it flagged', async () => {
    const ws = await t.workspace('switch');
    await applyPlan(ws, PLAN);
    await ingest(ws, [track('before', 'Demo Requested', { product: 'Keel', team_size: 'huge' })]);
    await applyPlan(ws, PLAN.replace('unknown_property: flag', 'unknown_property: flag\n  enum: block'));
    await ingest(ws, [track('after', 'Demo Requested', { product: 'Keel', team_size: 'huge' })]);
    const rejected = (await getJson(t.app, '/api/v1/rejected-events', ws.adminKey.key)).body.data!;
    expect(rejected.map((r) => r.message_id)).toEqual(['after']);
    expect(rejected[0]!.reason).toContain('blocked by tracking plan v2: properties.team_size = "huge" is not one of');
  });

  it('refuses malformed YAML and invalid plans with the line and the path of the error', async () => {
    const ws = await t.workspace('bad yaml');
    const cases: Array<[string, RegExp]> = [
      ['events:\n  - name: A\n    properties: {\n', /YAML syntax error at line \d+, column \d+/],
      ['events:\n  - name: A\n    properties:\n      plan: { type: text }\n', /events\.0\.properties\.plan\.type \(line 4\)/],
      ['events:\n  - name: A\n    properties:\n      plan: { pattern: "([a-z" }\n', /events\.0\.properties\.plan\.pattern \(line 4\): is not a valid regular expression/],
      ['events:\n  - name: A\n  - name: A\n', /events\.1\.name \(line 3\): duplicate event name "A"/],
      ['rules:\n  enum: explode\n', /rules\.enum \(line 2\)/],
      ['evnts: []\n', /unrecognized|Unrecognized/],
      ['events:\n  - name: A\n    properties:\n      seats: { min: 10, max: 1 }\n', /events\.0\.properties\.seats\.min \(line 4\): min must not exceed max/],
      ['a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n', /alias/i],
      ['name: "bad \u0000 nul"\n', /NUL character \(\\u0000\) at line 1/],
    ];
    for (const [yaml, message] of cases) {
      const res = await applyPlan(ws, yaml);
      const body = (await res.json()) as { error: { message: string } };
      expect(res.status, body.error.message).toBe(400);
      expect(body.error.message, yaml).toMatch(message);
    }
    const oversized = await applyPlan(ws, `description: "${'x'.repeat(600 * 1024)}"\n`);
    expect(oversized.status).toBe(413);
    expect(((await oversized.json()) as { error: { message: string } }).error.message).toMatch(/tracking-plan YAML is \d+ bytes; the limit is 524288 bytes/);
    expect((await getJson(t.app, '/api/v1/tracking-plan/versions', ws.adminKey.key)).body.data).toHaveLength(0);
  });

  it('publishes the JSON Schema generated from the zod schema, in the repo and through the API', async () => {
    const ws = await t.workspace('schema');
    const file = JSON.parse(readFileSync(new URL('../../../schemas/tracking-plan.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(file).toEqual(buildTrackingPlanJsonSchema());
    const served = await getJson(t.app, '/api/v1/schemas/tracking-plan.json', ws.adminKey.key);
    expect(served.body).toEqual(file);
  });
});
