import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { runDedupe } from '../dedupe/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { buildHealthReport, computeHealthScore, SCORE_WEIGHTS, takeDueHealthSnapshots, type HealthReport } from './index.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const recent = new Date(Date.now() - 86_400_000).toISOString();

const identify = (userId: string, traits: Record<string, unknown>, timestamp = recent) => ({ type: 'identify', userId, traits, timestamp });
const group = (userId: string, groupId: string, traits: Record<string, unknown>) => ({ type: 'group', userId, groupId, traits, timestamp: recent });

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('health');
  const plan = 'events:\n  - name: Demo Requested\n    properties:\n      size: { type: string, enum: [small, large] }\n';
  const applied = await t.app.request('/api/v1/tracking-plan', { method: 'POST', body: JSON.stringify({ yaml: plan }), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });
  expect(applied.status).toBe(200);
  const batch = [
    identify('u1', { email: 'ada@acme.test', firstName: 'Ada', lastName: 'Lovelace', title: 'CTO', company: 'Acme', country: 'GB', phone: '+44 20 7946 0958' }),
    identify('u2', { email: 'bob@acme.test', firstName: 'R2D2', lastName: 'Droid', title: 'VP Sales', company: 'Acme', country: 'United States', phone: 'call me maybe' }),
    // Same name and company as u1 under another userId: an exact duplicate by name + company.
    identify('u3', { email: 'ada.l@gmail.test', firstName: 'ada', lastName: 'lovelace', company: 'ACME' }),
    // Not seen for years: stale.
    identify('u4', { email: 'old@acme.test', firstName: 'Old', lastName: 'Timer' }, '2020-01-01T00:00:00Z'),
    group('u1', 'acme', { name: 'Acme Inc', website: 'https://www.acme.test', industry: 'Software', employees: 1200, country: 'GB' }),
    group('u2', 'acme-2', { name: 'ACME, Inc.', website: 'acme2.test', employees: 1200, country: 'gb' }),
    { type: 'track', userId: 'u1', event: 'Demo Requested', properties: { size: 'small' }, timestamp: recent },
    { type: 'track', userId: 'u2', event: 'Demo Requested', properties: { size: 'enormous' }, timestamp: recent },
  ];
  expect((await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) })).status).toBe(200);
  await t.drain();
});
afterAll(() => t.close());

const field = (r: HealthReport, name: string) => r.fields.find((f) => `${f.entity}.${f.field}` === name)!;

describe(`data-health report (${testDatabaseLabel})`, () => {
  it('measures completeness and validity per field, with examples of invalid values', async () => {
    const { status, body } = await getJson(t.app, '/api/v1/data-health', ws.adminKey.key);
    expect(status).toBe(200);
    const r = body as unknown as HealthReport;
    expect(r.records).toEqual({ known_contacts: 4, accounts: 2 });
    expect(field(r, 'contacts.email')).toMatchObject({ filled: 4, missing: 0, invalid: 0, completeness: 1, validity: 1 });
    expect(field(r, 'contacts.phone')).toMatchObject({ filled: 2, missing: 2, invalid: 1, completeness: 0.5, validity: 0.5 });
    expect(field(r, 'contacts.phone').invalid_examples.map((e) => e.value)).toEqual(['call me maybe']);
    // Normalization turned "United States" into US at ingest: a valid country now.
    expect(field(r, 'contacts.country')).toMatchObject({ filled: 2, invalid: 0 });
    expect(field(r, 'contacts.first_name').invalid_examples.map((e) => e.value)).toEqual(['R2d2']); // recased by normalization at ingest
    expect(field(r, 'accounts.country')).toMatchObject({ filled: 2, invalid: 0 }); // 'gb' normalized to GB at ingest
    expect(field(r, 'accounts.domain')).toMatchObject({ filled: 2, invalid: 0 });
    expect(r.worst_offenders.fields[0]!.missing + r.worst_offenders.fields[0]!.invalid).toBeGreaterThanOrEqual(2);
    expect(r.worst_offenders.records.map((x) => [x.email, x.blank_fields])).toEqual([['old@acme.test', 4], ['ada.l@gmail.test', 3], ['bob@acme.test', 1]]); // bob's invalid phone is kept out of the column
  });

  it('counts exact duplicates, stale records, tracking-plan violations, and says consent is not wired', async () => {
    const r = await buildHealthReport(t.db.kysely, ws.id);
    expect(r.duplicates).toMatchObject({ contacts: 1, accounts: 1, rate: 2 / 6 });
    expect(r.duplicates.method).toMatch(/exact duplicates only/);
    expect(r.stale).toMatchObject({ contacts: 1, accounts: 0 });
    expect(r.tracking_plan).toMatchObject({ checked: 2, violating: 1, blocked: 0, violation_rate: 0.5 });
    expect(r.worst_offenders.rules[0]).toMatchObject({ rule: 'enum', subject: 'track:Demo Requested', violations: 1 });
    expect(r.worst_offenders.rules[0]!.example!.reason).toContain('"enormous"');
    expect(r.consent).toMatchObject({ available: false, contacts_without_consent: null });
  });

  it('computes the score by the stated formula, leaving out what cannot be measured', async () => {
    const r = await buildHealthReport(t.db.kysely, ws.id);
    const measured = r.score.components.filter((c) => c.value !== null);
    expect(measured.map((c) => c.name)).toEqual(['completeness', 'validity', 'uniqueness', 'conformance', 'freshness']);
    const expected = (100 * measured.reduce((s, c) => s + c.weight * c.value!, 0)) / measured.reduce((s, c) => s + c.weight, 0);
    expect(r.score.value).toBeCloseTo(expected, 0);
    expect(r.score.components.find((c) => c.name === 'freshness')!.value).toBeCloseTo(5 / 6, 3);
    expect(r.score.formula).toContain('completeness (0.25)');
    expect(computeHealthScore({ completeness: { value: 1 }, validity: { value: 0 }, uniqueness: { value: null }, conformance: { value: null }, freshness: { value: null }, consent: { value: null } }).value).toBe(50);
    expect(Object.values(SCORE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('uses the other features through their seams when wired', async () => {
    const r = await buildHealthReport(t.db.kysely, ws.id, {
      sources: {
        validationIssues: async () => [{ entity: 'contacts', field: 'email', invalid: 2, examples: [{ id: 'x', value: 'ada@acme.test' }] }],
        duplicates: async () => ({ contacts: 2, accounts: 0, method: 'fellegi-sunter' }),
        contactsWithoutConsent: async () => ({ count: 3, examples: ['c1'] }),
      },
    });
    expect(field(r, 'contacts.email')).toMatchObject({ invalid: 2, validity: 0.5, check: 'normalization validation issues' });
    expect(r.duplicates).toMatchObject({ method: 'fellegi-sunter', contacts: 2, rate: 2 / 6 });
    expect(r.consent).toMatchObject({ available: true, contacts_without_consent: 3 });
    expect(r.score.components.find((c) => c.name === 'consent')!.value).toBeCloseTo(0.25, 3);
  });

  it('stores daily snapshots as the trend: by API, and by the daily job for workspaces without one', async () => {
    const other = await t.workspace('no snapshot yet');
    const taken = await t.app.request('/api/v1/data-health/snapshots', { method: 'POST', headers: { authorization: bearer(ws.adminKey.key) } });
    expect(taken.status).toBe(201);
    const { score } = (await taken.json()) as { score: number };
    const again = await t.app.request('/api/v1/data-health/snapshots', { method: 'POST', headers: { authorization: bearer(ws.adminKey.key) } });
    expect(again.status).toBe(201);
    const snapshots = await getJson(t.app, '/api/v1/data-health/snapshots', ws.adminKey.key);
    expect(snapshots.body.data).toHaveLength(1);
    expect(snapshots.body.data![0]).toMatchObject({ score, figures: { known_contacts: 4, duplicates: { contacts: 1, accounts: 1 }, stale: { contacts: 1, accounts: 0 } } });
    const report = (await getJson(t.app, '/api/v1/data-health', ws.adminKey.key)).body as unknown as HealthReport;
    expect(report.trend.map((s) => s.score)).toEqual([score]);
    // The job skips the workspace that has today's snapshot and takes the others'.
    const before = (await getJson(t.app, '/api/v1/data-health/snapshots', other.adminKey.key)).body.data!;
    expect(before).toHaveLength(0);
    expect(await takeDueHealthSnapshots(t.db.kysely)).toBeGreaterThanOrEqual(1);
    expect((await getJson(t.app, '/api/v1/data-health/snapshots', other.adminKey.key)).body.data).toHaveLength(1);
    expect(await takeDueHealthSnapshots(t.db.kysely)).toBe(0);
  });

  it('refuses bad parameters naming the field and the value', async () => {
    for (const [query, message] of [
      ['stale_days=0', /stale_days/],
      ['window_days=abc', /window_days/],
      ['stale_days=5&colour=red', /colour/],
    ] as const) {
      const res = await getJson(t.app, `/api/v1/data-health?${query}`, ws.adminKey.key);
      expect(res.status).toBe(400);
      expect(JSON.stringify(res.body)).toMatch(message);
    }
    await expect(buildHealthReport(t.db.kysely, ws.id, { staleDays: 2.5 })).rejects.toThrow(/stale_days .* got 2.5/);
  });

  it('reads validity, duplicates and consent from the real features by default (createApp wires them)', async () => {
    const before = (await getJson(t.app, '/api/v1/data-health', ws.adminKey.key)).body as unknown as HealthReport;
    // Normalization recorded the phone "call me maybe" as a validation issue at ingest.
    expect(field(before, 'contacts.phone')).toMatchObject({ check: 'normalization validation issues', invalid: 1 });
    // Nobody has a consent record yet: every contact is without one.
    expect(before.consent).toMatchObject({ available: true, contacts_without_consent: 4 });
    // Dedupe has not run: the exact-duplicate floor, not a false "0".
    expect(before.duplicates.method).toMatch(/until dedupe has run/);
    await runDedupe(t.db.kysely, ws.id, 'contact', { dryRun: false, actor: cliActor() });
    const pending = await t.db.kysely.selectFrom('dedupe_pairs').select('record_b').distinct().where('workspace_id', '=', ws.id).where('entity', '=', 'contact').where('status', '=', 'pending').execute();
    const after = (await getJson(t.app, '/api/v1/data-health', ws.adminKey.key)).body as unknown as HealthReport;
    expect(after.duplicates).toMatchObject({ contacts: pending.length, accounts: 0 });
    expect(after.duplicates.method).toMatch(/Fellegi-Sunter/);
  });
});
