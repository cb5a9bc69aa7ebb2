import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { ingestPeople, NOW, type PersonSpec } from './audience-fixtures.ts';
import { accountReachOf, applyScoringModel, applyStageRules, drainAudienceQueue, recomputeAudiences } from './derivation.service.ts';
import { applySegment } from './segments.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const MODEL = {
  name: 'main',
  fit: [
    { name: 'Senior', points: 20, when: { trait: { name: 'seniority', op: 'in', value: ['VP', 'Director'] } } },
    { name: 'Big account', points: 10, when: { account: { trait: { name: 'employees', op: 'gte', value: 1000 } } } },
  ],
  engagement: [
    { name: 'Webinar', event: 'Webinar', points: 10, cap: { max: 2, per: 'week' } },
    { name: 'Careers', event: 'Careers', points: -5 },
    { name: 'Click', event: 'Click', points: 3, where: [{ property: 'x', op: 'gte', value: 2 }] },
  ],
  decay: { half_life_days: 14 },
  account_fit: [{ name: 'Enterprise', points: 15, when: { trait: { name: 'employees', op: 'gte', value: 1000 } } }],
};
const STAGES = {
  lifecycle: [
    { stage: 'lead', when: { field: { name: 'email', op: 'exists' } } },
    { stage: 'mql', when: { score: { model: 'main', op: 'gte', value: 30 } } },
    { stage: 'recycled', recycle: true, when: { all: [{ stage: { op: 'eq', value: 'mql' } }, { score: { model: 'main', of: 'engagement', op: 'lte', value: 0 } }] } },
  ],
  engagement: [
    { stage: 'engaged', when: { score: { model: 'main', of: 'engagement', op: 'gte', value: 10 } } },
    { stage: 'dormant', when: { event: { name: 'Webinar', never: true } } },
    { stage: 'new' },
  ],
};
const SEGMENTS = [
  { name: 'seniors', rules: [{ trait: { name: 'seniority', op: 'eq', value: 'VP' } }] },
  { name: 'webinar fans', rules: [{ event: { name: 'Webinar', at_least: 2, within_last_days: 30 } }] },
  { name: 'quiet', rules: [{ event: { name: 'Click', never: true } }, { segment: { name: 'seniors' } }] },
  { name: 'big-account people', rules: [{ account: { any: [{ trait: { name: 'employees', op: 'gte', value: 1000 } }, { score: { model: 'main', op: 'gte', value: 40 } }] } }] },
  { name: 'hot', rules: [{ any: [{ score: { model: 'main', op: 'gte', value: 25 } }, { stage: { op: 'in', value: ['mql', 'recycled'] } }] }] },
  { name: 'engaged accounts', subject: 'account', rules: [{ contacts: { where: { stage: { dimension: 'engagement', op: 'eq', value: 'engaged' } }, at_least: 2 } }] },
  { name: 'buying group', rules: [{ account: { contacts: { where: { segment: { name: 'seniors' } }, at_least: 2 } } }] },
];

const USERS = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const person: fc.Arbitrary<PersonSpec> = fc.record({
  user: fc.integer({ min: 0, max: USERS.length - 1 }),
  traits: fc.option(fc.record({ seniority: fc.constantFrom('VP', 'Director', 'IC'), email: fc.constantFrom(undefined, 'x') }), { nil: undefined }),
  employees: fc.option(fc.constantFrom(50, 1500, 9000), { nil: undefined }),
  events: fc.array(fc.record({ name: fc.constantFrom('Webinar', 'Careers', 'Click'), daysAgo: fc.integer({ min: 0, max: 45 }), x: fc.integer({ min: 0, max: 3 }) }), { maxLength: 4 }),
}).map(({ user, traits, employees, events }) => {
  const userId = USERS[user]!;
  const t = traits ? { seniority: traits.seniority, ...(traits.email ? { email: `${userId}@example.com` } : {}) } : undefined;
  return {
    userId,
    traits: t,
    // Each person belongs to one account: u0,u1,u2 -> a0; u3,u4 -> a1; u5 -> a2.
    account: employees === undefined ? undefined : { id: `a${Math.min(2, Math.floor(user / 3) + (user === 5 ? 1 : 0))}`, traits: { employees } },
    events: events.map((e) => ({ name: e.name, daysAgo: e.daysAgo, properties: { x: e.x } })),
  };
});

async function snapshot(ws: string) {
  const q = async (text: ReturnType<typeof sql>) => (await text.execute(db.kysely)).rows;
  return {
    members: await q(sql`select s.name, m.member_id from segment_members m join segments s on s.id = m.segment_id where m.workspace_id = ${ws}::uuid order by 1, 2`),
    scores: await q(sql`select contact_id, fit, engagement, total from contact_scores where workspace_id = ${ws}::uuid order by 1`),
    parts: await q(sql`select contact_id, rule, points from contact_score_parts where workspace_id = ${ws}::uuid order by 1, 2`),
    accounts: await q(sql`select account_id, fit, contact_fit, engagement, total from account_scores where workspace_id = ${ws}::uuid order by 1`),
    stages: await q(sql`select contact_id, dimension, stage from contact_stages where workspace_id = ${ws}::uuid order by 1, 2`),
    history: await q(sql`select count(*)::int as n from segment_membership_history where workspace_id = ${ws}::uuid`),
    changes: await q(sql`select count(*)::int as n from score_changes where workspace_id = ${ws}::uuid`),
    moves: await q(sql`select count(*)::int as n from stage_history where workspace_id = ${ws}::uuid`),
  };
}

// Without rules that read what an account's contacts make up, a change of one contact
// leaves the other contacts of its account alone: the narrower scope must agree too.
const NO_ACCOUNT_AGGREGATES = SEGMENTS.filter((s) => s.name !== 'big-account people' && s.name !== 'buying group');

async function setUp(ws: string, segments = SEGMENTS) {
  await applyScoringModel(db.kysely, ws, MODEL, cliActor(), NOW);
  await applyStageRules(db.kysely, ws, STAGES, cliActor(), NOW);
  for (const s of segments) await applySegment(db.kysely, ws, s, cliActor(), NOW);
}

describe(`incremental derivation (${testDatabaseLabel})`, () => {
  it.each([
    ['every rule', SEGMENTS, 10],
    ['no rule reading account aggregates', NO_ACCOUNT_AGGREGATES, 5],
  ] as const)('agrees exactly with a full recompute on random data (scores, stages, memberships): %s', async (label, segments, numRuns) => {
    expect(accountReachOf([...segments, MODEL, STAGES])).toEqual({ fields: true, aggregates: segments === SEGMENTS });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(person, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), async (steps) => {
        const ws = (await createWorkspace(db.kysely, `prop-${label}-${++run}`)).id;
        await setUp(ws, segments);
        for (const step of steps) {
          await ingestPeople(db.kysely, ws, step);
          await drainAudienceQueue(db.kysely, { now: NOW });
        }
        const incremental = await snapshot(ws);
        await recomputeAudiences(db.kysely, ws, { now: NOW });
        // A full recompute on top finds nothing to change: not a score, stage or member.
        expect(await snapshot(ws)).toEqual(incremental);
      }),
      { numRuns, seed: 5 },
    );
    // About 8 s on a quiet machine; the limit leaves room for a loaded one.
  }, 120_000);

  it('records entries and exits with times, and moves stages forward only', async () => {
    const ws = (await createWorkspace(db.kysely, 'history')).id;
    await setUp(ws);
    await ingestPeople(db.kysely, ws, [{ userId: 'v', traits: { email: 'v@example.com', seniority: 'VP' }, events: [{ name: 'Webinar', daysAgo: 1 }] }]);
    await drainAudienceQueue(db.kysely, { now: NOW });
    const stages = await sql<{ dimension: string; to_stage: string }>`select dimension, to_stage from stage_history where workspace_id = ${ws}::uuid order by id`.execute(db.kysely);
    // 20 (senior) + 10 (webinar) = 30: lead and mql hold; the furthest wins at once.
    expect(stages.rows).toEqual([
      { dimension: 'lifecycle', to_stage: 'mql' },
      { dimension: 'engagement', to_stage: 'engaged' },
    ]);
    // A careers-page visit (-5) drops the score under 30: the stage stays mql (forward only).
    await ingestPeople(db.kysely, ws, [{ userId: 'v', events: [{ name: 'Careers', daysAgo: 0 }] }]);
    await drainAudienceQueue(db.kysely, { now: NOW });
    const events = async () =>
      (
        await sql<{ name: string; change: string }>`select s.name, h.change from segment_membership_history h join segments s on s.id = h.segment_id
          where h.workspace_id = ${ws}::uuid order by h.id`.execute(db.kysely)
      ).rows.map((r) => `${r.change} ${r.name}`);
    expect(await events()).toEqual(['entered seniors', 'entered hot', 'entered quiet']);
    const lifecycle = await sql<{ stage: string }>`select stage from contact_stages where workspace_id = ${ws}::uuid and dimension = 'lifecycle'`.execute(db.kysely);
    expect(lifecycle.rows).toEqual([{ stage: 'mql' }]);
    // No longer senior: 'quiet' reads 'seniors' and follows it out in the same run; 'hot' holds by stage.
    await ingestPeople(db.kysely, ws, [{ userId: 'v', traits: { seniority: 'IC' } }]);
    await drainAudienceQueue(db.kysely, { now: NOW });
    expect((await events()).slice(3)).toEqual(['exited seniors', 'exited quiet']);
    const explained = await sql<{ rule: string; points_after: number }>`select rule, points_after from score_changes where workspace_id = ${ws}::uuid order by id`.execute(db.kysely);
    expect(explained.rows).toEqual([
      { rule: 'Senior', points_after: 20 },
      { rule: 'Webinar', points_after: 10 },
      { rule: 'Careers', points_after: -5 },
      { rule: 'Senior', points_after: 0 },
    ]);
  });

  it('evaluates only the rules that read what changed, and everything for a change not described', async () => {
    const ws = (await createWorkspace(db.kysely, 'selective')).id;
    await setUp(ws);
    await ingestPeople(db.kysely, ws, [{ userId: 's', traits: { email: 's@example.com', seniority: 'VP' }, events: [{ name: 'Webinar', daysAgo: 20 }, { name: 'Webinar', daysAgo: 10 }] }]);
    await drainAudienceQueue(db.kysely, { now: NOW });
    const state = async () => ({
      members: (await sql<{ name: string }>`select s.name from segment_members m join segments s on s.id = m.segment_id where m.workspace_id = ${ws}::uuid order by 1`.execute(db.kysely)).rows.map((r) => r.name),
      parts: (await sql<{ rule: string; points: number }>`select rule, points from contact_score_parts where workspace_id = ${ws}::uuid order by 1`.execute(db.kysely)).rows,
    });
    const points = (parts: Array<{ rule: string; points: number }>) => Object.fromEntries(parts.map((p) => [p.rule, p.points]));
    const before = await state();
    // Two webinars 10 and 20 days ago, halved every 14 days: 6.1 + 3.7.
    expect(before).toEqual({ members: ['hot', 'quiet', 'seniors', 'webinar fans'], parts: [{ rule: 'Senior', points: 20 }, { rule: 'Webinar', points: 10 }] });
    // 25 days on, a click: the webinars fell out of 'webinar fans' (30 days) and decayed,
    // but nothing that reads webinars is due for a click, so both stay as they were; the
    // click rule and the segment reading clicks ('quiet') are evaluated.
    const later = new Date(NOW.getTime() + 25 * 86_400_000);
    await ingestPeople(db.kysely, ws, [{ userId: 's', events: [{ name: 'Click', daysAgo: 0, properties: { x: 3 } }] }], later);
    await drainAudienceQueue(db.kysely, { now: later });
    const afterClick = await state();
    expect(afterClick.members).toEqual(['hot', 'seniors', 'webinar fans']);
    expect(points(afterClick.parts)).toEqual({ Click: 3, Senior: 20, Webinar: 10 });
    // A change not described (a trait, through identify) makes every rule due.
    await ingestPeople(db.kysely, ws, [{ userId: 's', traits: { seniority: 'VP' } }], later);
    await drainAudienceQueue(db.kysely, { now: later });
    const afterIdentify = await state();
    expect(afterIdentify.members).toEqual(['hot', 'seniors']);
    expect(points(afterIdentify.parts)).toEqual({ Click: 3, Senior: 20, Webinar: 3 });
  });

  it("follows a contact's moved engagement in its account's score, as a full roll-up would", async () => {
    const ws = (await createWorkspace(db.kysely, 'account-deltas')).id;
    await setUp(ws, NO_ACCOUNT_AGGREGATES);
    const account = { id: 'acme', traits: { employees: 1500 } };
    await ingestPeople(db.kysely, ws, [
      { userId: 'p1', traits: { seniority: 'VP' }, account, events: [{ name: 'Webinar', daysAgo: 3 }] },
      { userId: 'p2', traits: { seniority: 'IC' }, account, events: [{ name: 'Click', daysAgo: 2, properties: { x: 2 } }] },
    ]);
    await drainAudienceQueue(db.kysely, { now: NOW });
    const scores = async () => (await sql`select fit, contact_fit, engagement, total from account_scores where workspace_id = ${ws}::uuid`.execute(db.kysely)).rows;
    const before = await scores();
    // Events only: each contact's engagement moves, and the account's by the same amounts.
    await ingestPeople(db.kysely, ws, [
      { userId: 'p1', events: [{ name: 'Careers', daysAgo: 0 }] },
      { userId: 'p2', events: [{ name: 'Webinar', daysAgo: 1 }, { name: 'Click', daysAgo: 0, properties: { x: 3 } }] },
    ]);
    await drainAudienceQueue(db.kysely, { now: NOW });
    const after = await scores();
    expect(after).not.toEqual(before);
    const sum = await sql<{ engagement: number }>`select sum(engagement)::int as engagement from contact_scores where workspace_id = ${ws}::uuid`.execute(db.kysely);
    expect(after).toEqual([expect.objectContaining({ engagement: sum.rows[0]!.engagement })]);
    await recomputeAudiences(db.kysely, ws, { now: NOW });
    expect(await scores()).toEqual(after);
  });
});
