import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { ingestPeople, NOW } from './audience-fixtures.ts';
import type { Condition } from './conditions.ts';
import { applySegment, listSegmentMembers, previewSegment } from './segments.service.ts';

let db: Db;
let ws: string;

beforeAll(async () => {
  db = await openTestDatabase();
  ws = (await createWorkspace(db.kysely, 'segments')).id;
  await ingestPeople(db.kysely, ws, [
    {
      userId: 'alice',
      traits: { email: 'alice@acme.com', title: 'VP Marketing', country: 'US', seniority: 'VP', seats: 12, plan: 'pro', signup: '2026-05-20', tags: [], prefs: { tier: 'gold' } },
      account: { id: 'acme', traits: { name: 'Acme', employees: 5000, industry: 'Software' } },
      events: [
        { name: 'Webinar Attended', daysAgo: 2, properties: { webinar_id: 'w1', minutes: 40 } },
        { name: 'Webinar Attended', daysAgo: 5, properties: { webinar_id: 'w1', minutes: 10 } },
        { name: 'Webinar Attended', daysAgo: 9, properties: { webinar_id: 'w2', minutes: 55 } },
        { name: 'Pricing', daysAgo: 1, type: 'page' },
      ],
    },
    {
      userId: 'bob',
      traits: { email: 'bob@globex.io', title: 'Engineer', country: 'DE', seniority: 'IC', seats: 3, plan: '', signup: '2025-01-01' },
      account: { id: 'globex', traits: { name: 'Globex', employees: 200, industry: 'Retail' } },
      events: [{ name: 'Webinar Attended', daysAgo: 60, properties: { webinar_id: 'w1', minutes: 5 } }],
    },
    { userId: 'carol', traits: { email: 'carol@initech.com', seats: '7' } },
  ]);
});
afterAll(() => db.close());

async function emailsOf(rules: Condition[], extra: Record<string, unknown> = {}): Promise<string[]> {
  const preview = await previewSegment(db.kysely, ws, { name: 'probe', rules, ...extra }, { now: NOW });
  return preview.sample.map((m) => String(m.label)).sort();
}

const A = 'alice@acme.com';
const B = 'bob@globex.io';
const C = 'carol@initech.com';

describe(`segment operators (${testDatabaseLabel})`, () => {
  const cases: Array<[string, Condition, string[]]> = [
    ['eq on a field', { field: { name: 'country', op: 'eq', value: 'US' } }, [A]],
    ['neq counts missing values as not equal', { field: { name: 'country', op: 'neq', value: 'US' } }, [B, C]],
    ['in', { trait: { name: 'seniority', op: 'in', value: ['VP', 'Director'] } }, [A]],
    ['not_in', { trait: { name: 'seniority', op: 'not_in', value: ['VP'] } }, [B, C]],
    ['contains, case-insensitive', { field: { name: 'title', op: 'contains', value: 'marketing' } }, [A]],
    ['starts_with', { field: { name: 'email', op: 'starts_with', value: 'BO' } }, [B]],
    ['ends_with', { field: { name: 'email', op: 'ends_with', value: '.com' } }, [A, C]],
    ['gt on a number trait (a text "7" is not a number)', { trait: { name: 'seats', op: 'gt', value: 5 } }, [A]],
    ['gte', { trait: { name: 'seats', op: 'gte', value: 3 } }, [A, B]],
    ['lt', { trait: { name: 'seats', op: 'lt', value: 12 } }, [B]],
    ['lte', { trait: { name: 'seats', op: 'lte', value: 12 } }, [A, B]],
    ['between numbers', { trait: { name: 'seats', op: 'between', value: [3, 10] } }, [B]],
    ['between dates', { trait: { name: 'signup', op: 'between', value: ['2026-05-01', '2026-05-31'] } }, [A]],
    ['exists', { field: { name: 'title', op: 'exists' } }, [A, B]],
    ['not_exists', { trait: { name: 'seniority', op: 'not_exists' } }, [C]],
    ['is_empty (empty string, missing, empty list)', { trait: { name: 'plan', op: 'is_empty' } }, [B, C]],
    ['is_empty on an empty list', { trait: { name: 'tags', op: 'is_empty' } }, [A, B, C]],
    ['within_last_days on a date trait', { trait: { name: 'signup', op: 'within_last_days', value: 30 } }, [A]],
    ['before', { trait: { name: 'signup', op: 'before', value: '2026-01-01' } }, [B]],
    ['after', { trait: { name: 'signup', op: 'after', value: '2026-01-01' } }, [A]],
    ['eq on a nested trait', { trait: { name: 'prefs.tier', op: 'eq', value: 'gold' } }, [A]],
    ['eq keeps JSON types apart ("7" is not 7)', { trait: { name: 'seats', op: 'eq', value: 7 } }, []],
  ];
  for (const [title, condition, expected] of cases) {
    it(title, async () => expect(await emailsOf([condition])).toEqual(expected.sort()));
  }
});

describe(`segment nesting, events and accounts (${testDatabaseLabel})`, () => {
  const cases: Array<[string, Condition[], string[], Record<string, unknown>?]> = [
    ['performed at least once', [{ event: { name: 'Webinar Attended' } }], [A, B]],
    ['at least 3 times within the last 30 days', [{ event: { name: 'Webinar Attended', at_least: 3, within_last_days: 30 } }], [A]],
    ['at most 1 time (includes never)', [{ event: { name: 'Webinar Attended', at_most: 1 } }], [B, C]],
    ['never', [{ event: { name: 'Webinar Attended', never: true } }], [C]],
    ['within the last 30 days', [{ event: { name: 'Webinar Attended', within_last_days: 30 } }], [A]],
    ['between dates', [{ event: { name: 'Webinar Attended', between: ['2026-03-01', '2026-04-15'] } }], [B]],
    ['with property filters', [{ event: { name: 'Webinar Attended', where: [{ property: 'minutes', op: 'gte', value: 30 }, { property: 'webinar_id', op: 'eq', value: 'w1' }] } }], [A]],
    ['property filters and a count', [{ event: { name: 'Webinar Attended', at_least: 2, where: [{ property: 'webinar_id', op: 'eq', value: 'w1' }] } }], [A]],
    ['a page by name', [{ event: { name: 'Pricing' } }], [A]],
    ['account employees >= 1000', [{ account: { field: { name: 'employees', op: 'gte', value: 1000 } } }], [A]],
    ['account industry in a list', [{ account: { field: { name: 'industry', op: 'in', value: ['Retail', 'Finance'] } } }], [B]],
    ['not (account exists)', [{ not: { account: { field: { name: 'name', op: 'exists' } } } }], [C]],
    ['any of', [{ any: [{ field: { name: 'country', op: 'eq', value: 'DE' } }, { trait: { name: 'seats', op: 'eq', value: '7' } }] }], [B, C]],
    ['all of, nested in not', [{ not: { all: [{ field: { name: 'country', op: 'eq', value: 'US' } }, { event: { name: 'Pricing' } }] } }], [B, C]],
    ['match: any at the top', [{ field: { name: 'country', op: 'eq', value: 'US' } }, { field: { name: 'country', op: 'eq', value: 'DE' } }], [A, B], { match: 'any' }],
  ];
  for (const [title, rules, expected, extra] of cases) {
    it(title, async () => expect(await emailsOf(rules, extra)).toEqual(expected.sort()));
  }

  it('account segments test the account and its contacts (buying group coverage)', async () => {
    const preview = await previewSegment(
      db.kysely,
      ws,
      { name: 'big', subject: 'account', rules: [{ field: { name: 'employees', op: 'gte', value: 100 } }, { contacts: { where: { event: { name: 'Webinar Attended', within_last_days: 30 } }, at_least: 1 } }] },
      { now: NOW },
    );
    expect(preview.sample.map((m) => m.label)).toEqual(['Acme']);
    const two = await previewSegment(db.kysely, ws, { name: 'two', subject: 'account', rules: [{ contacts: { at_least: 2 } }] }, { now: NOW });
    expect(two.count).toBe(0);
  });
});

describe(`segment validation (${testDatabaseLabel})`, () => {
  const refused: Array<[string, unknown, RegExp]> = [
    ['unknown operator, with its path', { name: 'x', rules: [{ field: { name: 'title', op: 'eq', value: 'a' } }, { field: { name: 'title', op: 'eq', value: 'b' } }, { event: { name: 'E', where: [{ property: 'p', op: 'gtt', value: 1 }] } }] }, /rules\[2\]\.event\.where\[0\]\.op: unknown operator "gtt"/],
    ['unknown field', { name: 'x', rules: [{ field: { name: 'shoe_size', op: 'eq', value: 1 } }] }, /rules\[0\]\.field\.name: unknown contact field "shoe_size"/],
    ['two kinds in one node', { name: 'x', rules: [{ any: [{ field: { name: 'title', op: 'exists' }, trait: { name: 'a', op: 'exists' } }] }] }, /rules\[0\]\.any\[0\]: a condition has exactly one of/],
    ['number operator on a text field', { name: 'x', rules: [{ field: { name: 'title', op: 'gt', value: 3 } }] }, /rules\[0\]\.field: operator "gt" with a number needs a number field/],
    ['missing value', { name: 'x', rules: [{ trait: { name: 'a', op: 'in' } }] }, /rules\[0\]\.trait: operator "in" needs a non-empty list/],
    ['value on exists', { name: 'x', rules: [{ trait: { name: 'a', op: 'exists', value: 1 } }] }, /takes no value/],
    ['events in an account segment', { name: 'x', subject: 'account', rules: [{ event: { name: 'E' } }] }, /rules\[0\]\.event: "event" conditions apply to contacts/],
    ['unknown segment', { name: 'x', rules: [{ segment: { name: 'nope' } }] }, /rules\[0\]\.segment\.name: unknown segment "nope"/],
    ['unknown model', { name: 'x', rules: [{ score: { model: 'nope', op: 'gt', value: 1 } }] }, /rules\[0\]\.score\.model: unknown scoring model "nope"/],
    ['unknown top-level field', { name: 'x', rules: [{ field: { name: 'title', op: 'exists' } }], colour: 'red' }, /unknown field\(s\) "colour"/],
    ['malformed YAML', 'name: [unclosed', /not valid YAML/],
    ['hostile name', { name: "x'; drop table contacts; --", rules: [{ field: { name: 'title', op: 'exists' } }] }, /name: a segment name is/],
  ];
  for (const [title, input, message] of refused) {
    it(`refuses ${title}`, async () => {
      await expect(previewSegment(db.kysely, ws, input, { now: NOW })).rejects.toThrow(message);
    });
  }

  it('keeps hostile values as parameters (they match nothing and break nothing)', async () => {
    expect(await emailsOf([{ field: { name: 'title', op: 'eq', value: "x' or '1'='1" } }])).toEqual([]);
    expect(await emailsOf([{ trait: { name: "a'); drop table contacts; --", op: 'exists' } }])).toEqual([]);
    expect(await emailsOf([{ field: { name: 'email', op: 'contains', value: '%' } }])).toEqual([]);
  });

  it('refuses a cycle between segments and a segment reading itself', async () => {
    await applySegment(db.kysely, ws, { name: 'a', rules: [{ field: { name: 'title', op: 'exists' } }] }, cliActor(), NOW);
    await applySegment(db.kysely, ws, { name: 'b', rules: [{ segment: { name: 'a' } }] }, cliActor(), NOW);
    await expect(applySegment(db.kysely, ws, { name: 'a', rules: [{ segment: { name: 'b' } }] }, cliActor(), NOW)).rejects.toThrow(/cycle: a -> b -> a|cycle/);
    await expect(applySegment(db.kysely, ws, { name: 'c', rules: [{ segment: { name: 'c' } }] }, cliActor(), NOW)).rejects.toThrow(/cycle/);
    const members = await listSegmentMembers(db.kysely, ws, 'b', { limit: 10 });
    expect(members.members.map((m) => m.label).sort()).toEqual([A, B]);
  });
});
