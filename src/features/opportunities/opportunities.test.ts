import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { isAppError } from '../../platform/errors.ts';
import { upsertAccountsFromGroups } from '../accounts/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import {
  countOpportunities,
  createOpportunities,
  createOpportunity,
  getOpportunity,
  listOpportunities,
  statusOfStage,
  type OpportunityInput,
} from './index.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

async function makeWorkspace(name: string) {
  return (await createWorkspace(db.kysely, name)).id;
}

async function makeAccount(workspaceId: string, externalId = 'acme'): Promise<string> {
  const ids = await upsertAccountsFromGroups(db.kysely, workspaceId, [{ externalId, fields: { name: externalId }, traits: {} }], new Date());
  return ids.get(externalId)!;
}

function makeOpportunity(accountId: string, overrides: Partial<OpportunityInput> = {}): OpportunityInput {
  return {
    accountId,
    name: 'Acme - Platform (New Business)',
    amount: 48_000,
    currency: 'USD',
    stage: 'Proposal',
    createdDate: '2025-03-01T10:00:00.000Z',
    ...overrides,
  };
}

/** The AppError a call rejects with, for asserting its code and message together. */
async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe(`opportunities (${testDatabaseLabel})`, () => {
  it('creates an opportunity, derives won/lost/open from the stage and reads it back', async () => {
    const ws = await makeWorkspace('create');
    const account = await makeAccount(ws);
    const won = await createOpportunity(db.kysely, ws, makeOpportunity(account, { stage: 'Closed Won', amount: '125000.50', closedDate: '2025-04-15T00:00:00Z', externalId: 'crm-1' }));
    expect(won).toMatchObject({ account_id: account, amount: '125000.50', currency: 'USD', stage: 'Closed Won', is_closed: true, is_won: true, status: 'won', external_id: 'crm-1' });
    expect(won.closed_date).toEqual(new Date('2025-04-15T00:00:00Z'));
    expect(await getOpportunity(db.kysely, ws, won.id)).toEqual(won);
    const lost = await createOpportunity(db.kysely, ws, makeOpportunity(account, { stage: 'closed_lost' }));
    expect(lost).toMatchObject({ is_closed: true, is_won: false, status: 'lost' });
    const open = await createOpportunity(db.kysely, ws, makeOpportunity(account, { amount: 0.1 + 0.2 }));
    expect(open).toMatchObject({ is_closed: false, is_won: false, status: 'open', amount: '0.30' });
    // An explicit status wins over the stage name (CRMs name their stages freely).
    const custom = await createOpportunity(db.kysely, ws, makeOpportunity(account, { stage: 'Signed', status: 'won' }));
    expect(custom).toMatchObject({ stage: 'Signed', status: 'won' });
    expect([statusOfStage('Closed Won'), statusOfStage(' WON '), statusOfStage('Closed-Lost'), statusOfStage('Negotiation')]).toEqual(['won', 'won', 'lost', 'open']);
  });

  it('refuses invalid input with a message naming the field and the value', async () => {
    const ws = await makeWorkspace('invalid');
    const account = await makeAccount(ws);
    const cases: Array<[Partial<OpportunityInput>, RegExp]> = [
      [{ amount: -5 }, /^amount .*got -5$/],
      [{ amount: '12,000' }, /^amount .*got "12,000"$/],
      [{ amount: Number.NaN }, /^amount .*got NaN$/],
      [{ currency: 'usd' }, /^currency must be 3 uppercase letters.*got "usd"$/],
      [{ currency: 'US' }, /^currency .*got "US"$/],
      [{ stage: '  ' }, /^stage must be a non-empty string, got " {2}"$/],
      [{ name: '' }, /^name must be a non-empty string/],
      [{ createdDate: 'yesterday' }, /^createdDate must be a date.*"yesterday"$/],
      [{ closedDate: '2025-02-01T00:00:00Z' }, /^closedDate \(2025-02-01T00:00:00.000Z\) must not be before createdDate \(2025-03-01T10:00:00.000Z\)$/],
      [{ accountId: 'acme' }, /^accountId must be a UUID, got "acme"$/],
    ];
    for (const [override, message] of cases) {
      const failure = await failureOf(createOpportunity(db.kysely, ws, makeOpportunity(account, override)));
      expect(failure.code, JSON.stringify(override)).toBe('invalid');
      expect(failure.message).toMatch(message);
    }
    expect(await countOpportunities(db.kysely, ws)).toBe(0);
  });

  it('needs the account to exist in the same workspace', async () => {
    const ws = await makeWorkspace('accounts');
    const other = await makeWorkspace('accounts-other');
    const foreignAccount = await makeAccount(other, 'foreign');
    const unknown = randomUUID();
    expect(await failureOf(createOpportunity(db.kysely, ws, makeOpportunity(unknown)))).toEqual({
      code: 'not_found',
      message: `Account "${unknown}" not found in this workspace`,
    });
    expect((await failureOf(createOpportunity(db.kysely, ws, makeOpportunity(foreignAccount)))).code).toBe('not_found');
    const mine = await makeAccount(ws);
    const bulk = await failureOf(createOpportunities(db.kysely, ws, [makeOpportunity(mine), makeOpportunity(foreignAccount)]));
    expect(bulk).toEqual({ code: 'not_found', message: `Account "${foreignAccount}" not found in this workspace` });
    // Past one statement's worth of rows, the bulk is still all or nothing.
    const large = [...Array.from({ length: 1200 }, () => makeOpportunity(mine)), makeOpportunity(unknown)];
    expect((await failureOf(createOpportunities(db.kysely, ws, large))).code).toBe('not_found');
    expect(await countOpportunities(db.kysely, ws)).toBe(0);
  });

  it('keeps external ids unique: conflict on create, skipped on a bulk re-run', async () => {
    const ws = await makeWorkspace('external');
    const account = await makeAccount(ws);
    await createOpportunity(db.kysely, ws, makeOpportunity(account, { externalId: 'crm-7' }));
    expect((await failureOf(createOpportunity(db.kysely, ws, makeOpportunity(account, { externalId: 'crm-7' })))).code).toBe('conflict');
    const batch = [makeOpportunity(account, { externalId: 'crm-7' }), makeOpportunity(account, { externalId: 'crm-8' })];
    expect(await createOpportunities(db.kysely, ws, batch, { skipExisting: true })).toBe(1);
    expect(await createOpportunities(db.kysely, ws, batch, { skipExisting: true })).toBe(0);
    expect(await countOpportunities(db.kysely, ws)).toBe(2);
  });

  it('validates a whole bulk before writing and names the row at fault', async () => {
    const ws = await makeWorkspace('bulk-invalid');
    const account = await makeAccount(ws);
    const failure = await failureOf(createOpportunities(db.kysely, ws, [makeOpportunity(account), makeOpportunity(account, { currency: 'EURO' })]));
    expect(failure).toMatchObject({ code: 'invalid', message: expect.stringMatching(/^opportunities\[1\]\.currency .*"EURO"$/) });
    expect(await countOpportunities(db.kysely, ws)).toBe(0);
  });

  it('lists newest first with filters and keyset pages, and counts with the same filters', async () => {
    const ws = await makeWorkspace('list');
    const acme = await makeAccount(ws, 'acme');
    const globex = await makeAccount(ws, 'globex');
    const day = (n: number) => new Date(Date.UTC(2025, 0, 1 + n)).toISOString();
    const inputs: OpportunityInput[] = [];
    for (let i = 0; i < 25; i += 1) {
      // Pairs share a created date, so that pages must break ties on id.
      const stage = i % 5 === 0 ? 'Closed Won' : i % 5 === 1 ? 'Closed Lost' : 'Qualification';
      const closedDate = stage.startsWith('Closed') ? day(Math.floor(i / 2) + 30) : null;
      inputs.push(makeOpportunity(i % 2 === 0 ? acme : globex, { stage, createdDate: day(Math.floor(i / 2)), closedDate, externalId: `o-${i}` }));
    }
    expect(await createOpportunities(db.kysely, ws, inputs)).toBe(25);
    const seen: string[] = [];
    let page = await listOpportunities(db.kysely, ws, { limit: 10 });
    for (;;) {
      seen.push(...page.items.map((o) => o.id));
      if (!page.next) break;
      page = await listOpportunities(db.kysely, ws, { limit: 10, before: page.next });
    }
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const all = (await listOpportunities(db.kysely, ws, { limit: 100 })).items;
    expect(all.map((o) => o.id)).toEqual(seen);
    const sorted = [...all].sort((a, b) => b.created_date.getTime() - a.created_date.getTime() || (a.id < b.id ? 1 : -1));
    expect(all.map((o) => o.id)).toEqual(sorted.map((o) => o.id));

    const wonAtAcme = await listOpportunities(db.kysely, ws, { accountId: acme, isWon: true });
    expect(wonAtAcme.items.map((o) => o.external_id).sort()).toEqual(['o-0', 'o-10', 'o-20']);
    expect(await countOpportunities(db.kysely, ws, { accountId: acme, isWon: true })).toBe(3);
    expect(await countOpportunities(db.kysely, ws, { stage: 'Qualification' })).toBe(15);
    expect(await countOpportunities(db.kysely, ws, { isClosed: true, isWon: false })).toBe(5);
    expect(await countOpportunities(db.kysely, ws)).toBe(25);
    expect((await failureOf(listOpportunities(db.kysely, ws, { limit: 0 }))).code).toBe('invalid');
    expect((await failureOf(listOpportunities(db.kysely, ws, { accountId: 'acme' }))).message).toBe('accountId must be a UUID, got "acme"');
  });

  it('gets an opportunity only within its workspace', async () => {
    const ws = await makeWorkspace('get');
    const other = await makeWorkspace('get-other');
    const created = await createOpportunity(db.kysely, ws, makeOpportunity(await makeAccount(ws)));
    expect((await failureOf(getOpportunity(db.kysely, other, created.id))).code).toBe('not_found');
    expect((await failureOf(getOpportunity(db.kysely, ws, 'not-a-uuid'))).code).toBe('not_found');
    expect(await countOpportunities(db.kysely, other)).toBe(0);
  });
});
