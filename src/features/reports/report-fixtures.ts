import { expect } from 'vitest';
import { basicAuth, bearer, getJson, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { computeStages, saveStageRules } from '../audiences/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';

const SITE = 'https://www.northstack.example';
const at = (day: string, hour = 10) => `2026-${day}T${String(hour).padStart(2, '0')}:00:00Z`;
const track = (userId: string, day: string, event: string, properties: Record<string, unknown> = {}) => ({ type: 'track', userId, timestamp: at(day), event, properties });

export const STAGE_RULES = `
lifecycle:
  - { stage: lead, when: { event: { name: Signed Up } } }
  - { stage: mql, when: { event: { name: Content Downloaded } } }
  - { stage: sql, when: { event: { name: Demo Requested } } }
  - { stage: customer, when: { event: { name: Purchased } } }
`;

/**
 * Five contacts moving through lead > mql > sql > customer; stages are computed at noon of
 * each day something happens, so each entry is at 12:00 of its event's day:
 *   a: lead 01-01, mql 01-03, sql 01-07, customer 01-17 (paid search touch 01-01; account Acme)
 *   b: lead 01-01, mql 01-06
 *   c: lead 01-02, sql 01-06 (skips mql; email click 01-02, campaign newsletter-jan)
 *   d: lead 02-01, mql 02-03 (the February cohort)
 *   e: lead 01-03
 * Acme: opportunity created 01-10, won 01-20, amount 1000.
 */
export async function seedFunnel(t: TestApp, ws: CreatedWorkspace): Promise<void> {
  const batch = [
    ...['a', 'b', 'c', 'd', 'e'].map((u) => ({ type: 'identify', userId: u, traits: { email: `${u}@acme.example` }, timestamp: at('01-01', 8) })),
    { type: 'page', userId: 'a', timestamp: at('01-01', 9), properties: { url: `${SITE}/?utm_source=google&utm_medium=cpc&utm_campaign=brand` } },
    { type: 'group', userId: 'a', groupId: 'acme', traits: { name: 'Acme', employees: 5000 }, timestamp: at('01-01', 9) },
    track('c', '01-02', 'Email Link Clicked', { campaign_source: 'newsletter', campaign_name: 'newsletter-jan' }),
    track('a', '01-01', 'Signed Up'), track('a', '01-03', 'Content Downloaded'), track('a', '01-07', 'Demo Requested'), track('a', '01-17', 'Purchased'),
    track('b', '01-01', 'Signed Up'), track('b', '01-06', 'Content Downloaded'),
    track('c', '01-02', 'Signed Up'), track('c', '01-06', 'Demo Requested'),
    track('d', '02-01', 'Signed Up'), track('d', '02-03', 'Content Downloaded'),
    track('e', '01-03', 'Signed Up'),
  ];
  expect((await postIngest(t.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) })).status).toBe(200);
  // Stage rules are saved after the events are in: the drain's audience work computes no stages yet.
  await t.drain();
  await saveStageRules(t.db.kysely, ws.id, STAGE_RULES, cliActor());
  for (const day of ['01-01', '01-02', '01-03', '01-06', '01-07', '01-17', '02-01', '02-03']) await computeStages(t.db.kysely, ws.id, { now: new Date(at(day, 12)) });
  const accountId = String((await getJson(t.app, '/api/v1/accounts', ws.adminKey.key)).body.data![0]!.id);
  const deal = await t.app.request('/api/v1/opportunities', {
    method: 'POST',
    body: JSON.stringify({ account_id: accountId, name: 'Acme platform', amount: 1000, currency: 'USD', stage: 'Closed Won', created_date: '2026-01-10', closed_date: '2026-01-20' }),
    headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' },
  });
  expect(deal.status).toBe(201);
}
