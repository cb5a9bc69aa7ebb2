import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { basicAuth, bearer, createTestApp, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { createTopic, recordConsent, updatePolicies } from '../consent/index.ts';
import { listContactAccountLinks } from '../contacts/index.ts';
import { importCostsCsv } from '../costs/index.ts';
import { recordEmailOpen, verifyOpenToken } from '../email-tracking/index.ts';
import { applyJourney, enrollInJourney, launchJourney, listRunOutcomes, type RunOutcome } from '../journeys/index.ts';
import { getMessage, listJourneyMessages, recordBounce, type JourneyMessage } from '../messaging/index.ts';
import { createOpportunity } from '../opportunities/index.ts';
import { applyTemplates } from '../templates/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { reportCampaign, reportCampaigns } from './campaign-report.service.ts';
import { testTwoProportions } from './proportion-test.ts';

const actor = cliActor();
let t: TestApp;
let ws: CreatedWorkspace;
let runs: RunOutcome[];
let messages: JourneyMessage[];
const emails = Array.from({ length: 40 }, (_, i) => `p${i}@acme${i % 4}.example`);
const JOURNEY = `key: spring-promo
name: Spring promo
topic: news
trigger: { manual: true }
goal: { event: { name: Demo Requested } }
holdout: 20
steps:
  - id: split
    split: { variants: [{ name: A, weight: 1, next: a }, { name: B, weight: 1, next: b }] }
  - id: a
    email: { template: promo-a }
    next: settle
  - id: b
    email: { template: promo-b }
  - id: settle
    wait: { days: 5 }
`;
const template = (key: string) => `kind: template\nkey: ${key}\nname: ${key}\nsubject: "[${key}]"\nbody: "<p>Hi {{ contact.first_name | default: 'there' }}.</p><p><a href='https://acme.example/pricing'>Pricing</a></p>"\n`;
const api = (path: string) => t.app.request(path, { headers: { authorization: bearer(ws.adminKey.key) } });
const tokenOf = async (messageId: string, kind: 'o' | 'c') => {
  const html = (await getMessage(t.db.kysely, ws.id, messageId)).html_body ?? '';
  return new RegExp(`/t/${kind}/([A-Za-z0-9._~-]+?)(\\.gif)?"`).exec(html)![1]!;
};
const track = async (email: string, event: string) => {
  await postIngest(t.app, '/v1/track', { userId: `u-${email}`, event }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
};

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('campaign-report');
  await createTopic(t.db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_out', channels: ['email'] }, actor);
  await updatePolicies(t.db.kysely, ws.id, { senderEmail: 'news@acme.example', senderName: 'Acme', postalAddress: '1 Main St, Springfield' }, actor);
  await applyTemplates(t.db.kysely, ws.id, [template('promo-a'), template('promo-b')].join('---\n'), actor);
  const batch = emails.flatMap((email, i) => [
    { type: 'identify', userId: `u-${email}`, traits: { email } },
    { type: 'group', userId: `u-${email}`, groupId: `acme${i % 4}`, traits: { name: `Acme ${i % 4}` } },
  ]);
  await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) });
  await t.drain();
  await applyJourney(t.db.kysely, ws.id, JOURNEY, actor);
  await launchJourney(t.journeys.engine, ws.id, 'spring-promo', actor);
  for (const email of emails) await enrollInJourney(t.journeys.engine, ws.id, 'spring-promo', { email });
  await t.journeys.runDue();
  const journeyId = await runsJourneyId();
  runs = await listRunOutcomes(t.db.kysely, ws.id, journeyId);
  messages = await listJourneyMessages(t.db.kysely, ws.id, journeyId);
});
afterAll(() => t.close());

async function runsJourneyId(): Promise<string> {
  const res = await api('/api/v1/journeys/spring-promo');
  return ((await res.json()) as { id: string }).id;
}

describe(`campaign and journey delivery report (${testDatabaseLabel})`, () => {
  it('counts sends, bounces, opens (human and machine), clicks, unsubscribes, conversions, revenue and cost per step and variant', async () => {
    const held = runs.filter((r) => r.variant === 'holdout');
    const armA = runs.filter((r) => r.variant === 'A');
    const armB = runs.filter((r) => r.variant === 'B');
    expect(held.length).toBeGreaterThan(0);
    expect(armA.length).toBeGreaterThan(3);
    expect(armB.length).toBeGreaterThan(3);
    expect(messages).toHaveLength(armA.length + armB.length);
    const msgA = messages.filter((m) => m.variant === 'A');
    const msgB = messages.filter((m) => m.variant === 'B');
    const emailOf = runsEmail;
    const later = (m: JourneyMessage, minutes: number) => new Date(new Date(m.sent_at).getTime() + minutes * 60_000);

    // A[0]: a proxy open (Apple MPP's bare user agent) through the pixel route, two human opens, one click through the click route.
    expect((await t.app.request(`/t/o/${await tokenOf(msgA[0]!.id, 'o')}.gif`, { headers: { 'user-agent': 'Mozilla/5.0' } })).status).toBe(200);
    const opened = await verifyOpenToken(t.db.kysely, await tokenOf(msgA[0]!.id, 'o'));
    await recordEmailOpen(t.db.kysely, opened, { ip: null, userAgent: 'Mozilla/5.0 (Macintosh) Thunderbird/128' }, later(msgA[0]!, 30));
    await recordEmailOpen(t.db.kysely, opened, { ip: null, userAgent: 'Mozilla/5.0 (Macintosh) Thunderbird/128' }, later(msgA[0]!, 90));
    expect((await t.app.request(`/t/c/${await tokenOf(msgA[0]!.id, 'c')}`)).status).toBe(302);
    // A[1]: hard bounce. B[0]: soft bounce. B[1]: a human open and two clicks.
    await recordBounce(t.db.kysely, ws.id, { email: await emailOf(msgA[1]!.contact_id), kind: 'hard', messageId: msgA[1]!.id, source: 'test' });
    await recordBounce(t.db.kysely, ws.id, { email: await emailOf(msgB[0]!.contact_id), kind: 'soft', messageId: msgB[0]!.id, source: 'test' });
    await recordEmailOpen(t.db.kysely, await verifyOpenToken(t.db.kysely, await tokenOf(msgB[1]!.id, 'o')), { ip: null, userAgent: 'Outlook' }, later(msgB[1]!, 60));
    for (let i = 0; i < 2; i++) expect((await t.app.request(`/t/c/${await tokenOf(msgB[1]!.id, 'c')}`)).status).toBe(302);
    // A[2] unsubscribes (an opt-out an hour later; 8 days later would fall outside the default 7-day window).
    await recordConsent(t.db.kysely, ws.id, [{ contactId: msgA[2]!.contact_id!, topicKey: 'news', status: 'opted_out', source: 'unsubscribe_link', at: later(msgA[2]!, 60) }], actor);
    // Conversions: A[0] and A[3], B[1], one held-out contact.
    for (const m of [msgA[0]!, msgA[3]!, msgB[1]!]) await track(await emailOf(m.contact_id), 'Demo Requested');
    await track(await emailOf(held[0]!.contact_id), 'Demo Requested');
    await t.journeys.runDue();
    // Revenue: a deal won by A[0]'s account after the conversion; one won before it does not count.
    const links = await listContactAccountLinks(t.db.kysely, ws.id);
    const accountOf = (contactId: string) => links.find((l) => l.contact_id === contactId)!.account_id;
    const soon = new Date(Date.now() + 86_400_000);
    await createOpportunity(t.db.kysely, ws.id, { accountId: accountOf(msgA[0]!.contact_id!), name: 'won', amount: 5000, currency: 'USD', stage: 'Closed Won', createdDate: new Date('2026-01-01'), closedDate: soon });
    await createOpportunity(t.db.kysely, ws.id, { accountId: accountOf(msgA[0]!.contact_id!), name: 'old', amount: 700, currency: 'USD', stage: 'Closed Won', createdDate: new Date('2025-01-01'), closedDate: new Date('2025-02-01') });
    const today = new Date().toISOString().slice(0, 10);
    await importCostsCsv(t.db.kysely, ws.id, `date,channel,campaign,cost,currency\n${today},email,spring-promo,1000,USD\n${today},email,other,50,USD\n`, actor);

    const report = await reportCampaign(t.db.kysely, ws.id, 'spring-promo', { to: new Date(Date.now() + 2 * 86_400_000) });
    const sameAccount = (contactId: string) => accountOf(contactId) === accountOf(msgA[0]!.contact_id!);
    const wonRevenue = [msgA[0]!, msgA[3]!, msgB[1]!].some((m) => sameAccount(m.contact_id!)) ? 5000 : 0;
    expect(report.totals).toMatchObject({
      sent: messages.length, delivered: messages.length - 2, bounced: 2, bounced_hard: 1, bounced_soft: 1,
      opened_unique: 2, opened_total: 4, human_opened_unique: 2, human_opened_total: 3, machine_opened_total: 1, clicked_unique: 2, clicked_total: 3, click_to_open: 1,
      unsubscribed: 1, entered: armA.length + armB.length, converted: 3, revenue: wonRevenue, cost: 1000, roi: (wonRevenue - 1000) / 1000,
    });
    expect(report.totals.conversion_rate).toBeCloseTo(3 / (armA.length + armB.length), 12);
    const stepA = report.steps.find((s) => s.step_id === 'a')!;
    expect(stepA).toMatchObject({ channel: 'email', variant: 'A', sent: armA.length, bounced_hard: 1, opened_total: 3, human_opened_total: 2, clicked_unique: 1, unsubscribed: 1, converted_recipients: 2 });
    expect(report.steps.find((s) => s.step_id === 'b')).toMatchObject({ variant: 'B', sent: armB.length, bounced_soft: 1, delivered: armB.length - 1, clicked_total: 2, converted_recipients: 1 });
    const variant = Object.fromEntries(report.variants.map((v) => [v.variant, v]));
    expect(variant.A).toMatchObject({ entered: armA.length, converted: 2, holdout: false });
    expect(variant.holdout).toMatchObject({ entered: held.length, converted: 1, sent: 0, holdout: true });
    expect(report.control).toBe('A');
    const conversion = report.tests.find((x) => x.variant === 'B' && x.metric === 'conversion')!;
    expect(conversion).toMatchObject(testTwoProportions(1, armB.length, 2, armA.length)!);
    expect(report.tests.find((x) => x.metric === 'click')).toMatchObject(testTwoProportions(1, armB.length - 1, 1, armA.length - 1)!);
    expect(report.holdout).toMatchObject({ treated_converted: 3, holdout_converted: 1, ...testTwoProportions(3, armA.length + armB.length, 1, held.length)! });

    // The unsubscribe window: 0.01 days (about 14 minutes) no longer reaches the opt-out an hour after the send.
    expect((await reportCampaign(t.db.kysely, ws.id, 'spring-promo', { unsubscribeWindowDays: 0.01 })).totals.unsubscribed).toBe(0);
    // B as control flips the sign of the difference.
    const flipped = await reportCampaign(t.db.kysely, ws.id, 'spring-promo', { control: 'B' });
    expect(flipped.tests.find((x) => x.metric === 'conversion')!.difference).toBeCloseTo(-conversion.difference, 12);
    await expect(reportCampaign(t.db.kysely, ws.id, 'spring-promo', { control: 'C' })).rejects.toThrow(/control must be one of the journey's variants \(A, B\), got "C"/);
    await expect(reportCampaign(t.db.kysely, ws.id, 'nope')).rejects.toThrow(/Journey "nope" not found/);
    const list = await reportCampaigns(t.db.kysely, ws.id);
    expect(list.journeys.map((j) => [j.key, j.sent, j.converted])).toEqual([['spring-promo', messages.length, 3]]);
  });

  it('serves JSON and CSV over the API, declared in the OpenAPI document', async () => {
    const json = (await (await api('/api/v1/reports/campaigns/spring-promo')).json()) as { journey: { key: string }; steps: unknown[] };
    expect(json.journey.key).toBe('spring-promo');
    const csv = await api('/api/v1/reports/campaigns/spring-promo?format=csv');
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^row,step_id,channel,variant,sent,delivered,bounced,/);
    expect(lines.map((l) => l.split(',')[0])).toEqual(['row', 'total', 'step', 'step', 'variant', 'variant', 'holdout']);
    expect(lines.every((l) => l.split(',').length === lines[0]!.split(',').length)).toBe(true);
    const list = await api('/api/v1/reports/campaigns?format=csv');
    expect((await list.text()).split('\n')[1]).toMatch(/^spring-promo,Spring promo,live,/);
    expect((await api('/api/v1/reports/campaigns/nope')).status).toBe(404);
    expect((await api('/api/v1/reports/campaigns/spring-promo?control=Z')).status).toBe(400);
    expect((await api('/api/v1/reports/campaigns?bogus=1')).status).toBe(400);
    const doc = (await (await t.app.request('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/reports/campaigns', '/api/v1/reports/campaigns/{journeyKey}']));
  });
});

async function runsEmail(contactId: string | null): Promise<string> {
  const res = await api(`/api/v1/contacts/${contactId}`);
  return ((await res.json()) as { email: string }).email;
}
