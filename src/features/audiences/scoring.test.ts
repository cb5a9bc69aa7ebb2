import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { createOpportunity } from '../opportunities/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { ingestPeople, NOW } from './audience-fixtures.ts';
import { conversionBands, rocAuc, suggestThreshold } from './backtest-stats.ts';
import { applyScoringModel } from './derivation.service.ts';
import { backtestModel, explainScores, getAccountScores } from './scoring.service.ts';

let db: Db;
let ws: string;

const MODEL = `
name: b2b
fit:
  - { name: Director+, points: 15, when: { trait: { name: seniority, op: in, value: [Director, VP] } } }
  - { name: Competitor domain, points: -50, when: { field: { name: email, op: ends_with, value: "@rival.com" } } }
engagement:
  - { name: Webinar, event: Webinar Attended, points: 10, cap: { max: 1, per: week } }
  - { name: Long session, event: Session, points: 4, where: [{ property: minutes, op: gte, value: 30 }] }
  - { name: Careers page, event: Careers, points: -5 }
decay: { half_life_days: 7 }
account_fit:
  - { name: Enterprise, points: 25, when: { field: { name: employees, op: gte, value: 1000 } } }
`;

beforeAll(async () => {
  db = await openTestDatabase();
  ws = (await createWorkspace(db.kysely, 'scoring')).id;
  await ingestPeople(db.kysely, ws, [
    {
      userId: 'dana',
      traits: { email: 'dana@big.com', seniority: 'VP' },
      account: { id: 'big', traits: { name: 'Big', employees: 4000 } },
      events: [
        // Two webinars in one week (2026-05-25 is a Monday): the cap counts the newest only.
        { name: 'Webinar Attended', daysAgo: 1 },
        { name: 'Webinar Attended', daysAgo: 3 },
        // A week earlier and half-life 7 days: 10 * 0.5^(14/7) = 2.5 -> with the first, 10*0.5^(1/7)=9.06
        { name: 'Webinar Attended', daysAgo: 14 },
        { name: 'Session', daysAgo: 0, properties: { minutes: 45 } },
        { name: 'Session', daysAgo: 0, properties: { minutes: 5 } },
      ],
    },
    { userId: 'eve', traits: { email: 'eve@rival.com', seniority: 'Director' }, account: { id: 'big', traits: {} }, events: [{ name: 'Careers', daysAgo: 0 }] },
  ]);
  await applyScoringModel(db.kysely, ws, MODEL, cliActor(), NOW);
});
afterAll(() => db.close());

describe(`scoring (${testDatabaseLabel})`, () => {
  it('explains a score rule by rule: fit, capped and decayed engagement, property filters', async () => {
    const explained = await explainScores(db.kysely, ws, 'dana@big.com');
    const [b2b] = explained.scores;
    // Webinar: 10*0.5^(1/7) + 10*0.5^(14/7) = 9.06 + 2.5 = 11.56 -> 12 (the 3-days-ago one is capped out).
    expect(b2b!.rules.map((r) => [r.rule, r.kind, r.points])).toEqual([
      ['Director+', 'fit', 15],
      ['Webinar', 'engagement', 12],
      ['Long session', 'engagement', 4],
    ]);
    expect(b2b).toMatchObject({ fit: 15, engagement: 16, total: 31 });
    expect(explained.changes.map((c) => c.rule).sort()).toEqual(['Director+', 'Long session', 'Webinar']);
  });

  it('scores negative rules (competitor domain, careers page)', async () => {
    const explained = await explainScores(db.kysely, ws, 'eve@rival.com');
    expect(explained.scores[0]).toMatchObject({ fit: -35, engagement: -5, total: -40 });
  });

  it('rolls contacts up into account scores with account fit', async () => {
    const account = await sql<{ id: string }>`select id from accounts where workspace_id = ${ws}::uuid and external_id = 'big'`.execute(db.kysely);
    const [score] = await getAccountScores(db.kysely, ws, account.rows[0]!.id);
    // 25 account fit + best contact fit 15 + engagement 16 - 5.
    expect(score).toMatchObject({ model: 'b2b', fit: 25, contact_fit: 15, engagement: 11, total: 51 });
  });

  it('recomputes when the model changes, logging each rule that moved', async () => {
    await applyScoringModel(db.kysely, ws, MODEL.replace('points: 15', 'points: 30'), cliActor(), NOW);
    const explained = await explainScores(db.kysely, ws, 'dana@big.com');
    expect(explained.scores[0]).toMatchObject({ fit: 30, total: 46 });
    expect(explained.changes[0]).toMatchObject({ rule: 'Director+', points_before: 15, points_after: 30 });
  });

  it('refuses models with bad rules, naming the rule', async () => {
    await expect(applyScoringModel(db.kysely, ws, MODEL.replace('op: gte, value: 30', 'op: gtt, value: 30'), cliActor(), NOW)).rejects.toThrow(/engagement\[1\]\.where\[0\]\.op: unknown operator "gtt"/);
    await expect(applyScoringModel(db.kysely, ws, MODEL.replace('name: Careers page', 'name: Webinar'), cliActor(), NOW)).rejects.toThrow(/engagement\[2\]\.name: rule name "Webinar" is used twice/);
    await expect(applyScoringModel(db.kysely, ws, MODEL.replace('name: seniority', 'name: seniority, bogus: 1'), cliActor(), NOW)).rejects.toThrow(/fit\[0\]\.when\.trait: unknown field\(s\) "bogus"/);
  });

  it('backtests account scores at deal creation against won and lost deals', async () => {
    const account = await sql<{ id: string }>`select id from accounts where workspace_id = ${ws}::uuid and external_id = 'big'`.execute(db.kysely);
    await createOpportunity(db.kysely, ws, { accountId: account.rows[0]!.id, name: 'won', amount: 100, currency: 'USD', stage: 'Closed Won', createdDate: NOW.toISOString(), closedDate: NOW.toISOString() });
    await createOpportunity(db.kysely, ws, { accountId: account.rows[0]!.id, name: 'early', amount: 100, currency: 'USD', stage: 'Closed Lost', createdDate: '2026-01-01T00:00:00Z', closedDate: '2026-02-01T00:00:00Z' });
    const result = await backtestModel(db.kysely, ws, 'b2b');
    expect(result).toMatchObject({ opportunities: 2, won: 1, roc_auc: 1 });
    // Before any event only fit counts: 25 + 30 = 55; at NOW engagement adds 11.
    expect(result.bands.map((b) => [b.min, b.won])).toEqual([
      [55, 0],
      [66, 1],
    ]);
    expect(result.suggested_mql_threshold).toMatchObject({ threshold: 66, truePositiveRate: 1, falsePositiveRate: 0 });
  });
});

describe('backtest statistics', () => {
  it('computes ROC AUC with ties, bands and the Youden threshold', () => {
    const outcomes = [
      { score: 10, won: false },
      { score: 20, won: false },
      { score: 20, won: true },
      { score: 40, won: true },
      { score: 50, won: true },
      { score: 5, won: false },
    ];
    // Pairs won>lost: 40 and 50 beat all 3 (6), 20 beats 10 and 5 and ties 20 (2.5) -> 8.5 / 9.
    expect(rocAuc(outcomes)).toBeCloseTo(8.5 / 9, 10);
    expect(rocAuc(outcomes.filter((o) => o.won))).toBeNull();
    expect(conversionBands(outcomes, 3).map((b) => [b.min, b.max, b.opportunities, b.won])).toEqual([
      [5, 10, 2, 0],
      [20, 20, 2, 1],
      [40, 50, 2, 2],
    ]);
    expect(suggestThreshold(outcomes)).toEqual({ threshold: 20, truePositiveRate: 1, falsePositiveRate: 1 / 3 });
  });
});
