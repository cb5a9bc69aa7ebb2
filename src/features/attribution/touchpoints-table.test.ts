import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { seedDemoWorkspace } from '../demo/index.ts';
import { countTouchpointDrift, listNamedTrackEvents, streamTouchEventsByContact, streamTouchpointsByContact } from '../events/index.ts';
import { mergeContactPair, undoContactMerge } from '../identity/index.ts';
import { requestErasure } from '../privacy/index.ts';
import { attributeWorkspace } from './attribution.service.ts';
import { ChannelGrouping, DEFAULT_CHANNEL_RULES, type ChannelRulesConfig } from './channel-rules.ts';
import { cachedClassifier, deriveTouchpoints, TOUCH_EVENTS, touchpointsOfCandidates, type Touchpoint } from './touchpoints.ts';

const ANCHOR = new Date('2026-05-20T12:00:00.000Z');
const DAY = 86_400_000;
let db: Db;
let workspaceId: string;

beforeAll(async () => {
  db = await openTestDatabase();
  workspaceId = (await seedDemoWorkspace(db.kysely, { seed: 7, scale: 0.01, anchor: ANCHOR })).workspaceId;
});
afterAll(() => db.close());

// Raw events derived on the fly (the path before migration 0015) ...
async function fromEvents(range: { from: Date; to: Date }, config: ChannelRulesConfig) {
  const grouping = new ChannelGrouping(config);
  const touches = new Map<string, Touchpoint[]>();
  const conversions: Array<[string, number, string]> = [];
  for await (const c of streamTouchEventsByContact(db.kysely, workspaceId, { ...range, names: [...Object.keys(TOUCH_EVENTS), 'Demo Requested', 'Trial Started'] })) {
    const t = deriveTouchpoints(c.contactId, c.events, grouping);
    if (t.length > 0) touches.set(c.contactId, t);
    for (const e of c.events) if (e.type === 'track' && (e.name === 'Demo Requested' || e.name === 'Trial Started')) conversions.push([c.contactId, new Date(e.timestamp).getTime(), e.name]);
  }
  return { touches, conversions, unmapped: [...grouping.unmapped].sort() };
}

// ... and the stored rows of the touchpoints table.
async function fromTable(range: { from: Date; to: Date }, config: ChannelRulesConfig) {
  const grouping = new ChannelGrouping(config);
  const classify = cachedClassifier(grouping);
  const touches = new Map<string, Touchpoint[]>();
  for await (const c of streamTouchpointsByContact(db.kysely, workspaceId, range, 97)) {
    const t = touchpointsOfCandidates(c.contactId, c.rows, grouping, classify);
    if (t.length > 0) touches.set(c.contactId, t);
  }
  const conversions = (await listNamedTrackEvents(db.kysely, workspaceId, { ...range, names: ['Demo Requested', 'Trial Started'] })).map((e): [string, number, string] => [e.contact_id, e.time, e.name]);
  return { touches, conversions, unmapped: [...grouping.unmapped].sort() };
}

async function expectNoDrift() {
  const drift = await countTouchpointDrift(db.kysely, workspaceId);
  expect(drift).toMatchObject({ wrong_contact: 0, orphans: 0 });
  expect(drift.rows).toBe(drift.expected);
}

// Rules that move things around: aliases (which change what counts as a repeat) and a
// source rule, so that read-time grouping is exercised beyond the defaults.
const CUSTOM: ChannelRulesConfig = {
  ...DEFAULT_CHANNEL_RULES,
  aliases: { source: { google: 'search-engine', bing: 'search-engine', linkedin: 'social-network' }, medium: { cpc: 'paid', organic: 'paid' } },
  rules: [{ channel: 'search', source: ['search-engine'] }, ...DEFAULT_CHANNEL_RULES.rules],
};

describe(`the touchpoints table (${testDatabaseLabel})`, () => {
  it('gives the same touchpoints, conversions and unmapped counts as deriving them from raw events', async () => {
    for (const range of [{ from: new Date(ANCHOR.getTime() - 180 * DAY), to: ANCHOR }, { from: new Date(ANCHOR.getTime() - 45 * DAY), to: new Date(ANCHOR.getTime() - 10 * DAY) }]) {
      for (const config of [DEFAULT_CHANNEL_RULES, CUSTOM]) {
        const before = await fromEvents(range, config);
        const after = await fromTable(range, config);
        expect(before.touches.size).toBeGreaterThan(50);
        expect([...after.touches.keys()]).toEqual([...before.touches.keys()]);
        expect(after.touches).toEqual(before.touches);
        expect(after.conversions).toEqual(before.conversions);
        expect(after.unmapped).toEqual(before.unmapped);
      }
    }
    await expectNoDrift();
  });

  it('reads every contact once and whole, whatever the page size (pages that end inside a contact, a contact larger than a page)', async () => {
    const range = { from: new Date(ANCHOR.getTime() - 180 * DAY), to: ANCHOR };
    const read = async (pageRows: number) => {
      const seen: Array<[string, number[]]> = [];
      for await (const c of streamTouchpointsByContact(db.kysely, workspaceId, range, pageRows)) seen.push([c.contactId, c.rows.map((r) => r.time)]);
      return seen;
    };
    const whole = await read(1_000_000);
    expect(whole.length).toBeGreaterThan(50);
    expect(whole.some(([, times]) => times.length > 3)).toBe(true);
    expect(new Set(whole.map(([id]) => id)).size).toBe(whole.length);
    for (const pageRows of [1, 3, 10, 97]) expect(await read(pageRows)).toEqual(whole);
  });

  it('a changed channel rule is in the next run', async () => {
    const range = { from: quarter(1), to: quarter(0) };
    const base = await attributeWorkspace(db.kysely, workspaceId, { model: 'linear', ...range });
    const renamed = await attributeWorkspace(db.kysely, workspaceId, { model: 'linear', ...range, config: { ...DEFAULT_CHANNEL_RULES, rules: [{ channel: 'everything', source_matches: '.' }, ...DEFAULT_CHANNEL_RULES.rules] } });
    expect(base.rows.length).toBeGreaterThan(1);
    expect(renamed.rows.map((r) => r.key)).toContain('everything');
    expect(renamed.totals.conversions).toBeCloseTo(base.totals.conversions, 6);
  });

  it('backfills the rows of events stored before migration 0015, with the same report', async () => {
    const range = { from: quarter(1), to: quarter(0) };
    const before = await attributeWorkspace(db.kysely, workspaceId, { model: 'w-shaped', ...range, dimension: 'campaign' });
    await sql`delete from touchpoints where workspace_id = ${workspaceId}::uuid`.execute(db.kysely);
    await sql`insert into touchpoint_backfills (workspace_id) values (${workspaceId}::uuid)`.execute(db.kysely);
    const after = await attributeWorkspace(db.kysely, workspaceId, { model: 'w-shaped', ...range, dimension: 'campaign' });
    expect(after).toEqual(before);
    await expectNoDrift();
  });

  it('rows follow their events through a merge, its undo and an erasure', async () => {
    const pair = await sql<{ contact_id: string }>`
      select contact_id from touchpoints where workspace_id = ${workspaceId}::uuid and contact_id is not null
      group by contact_id order by count(*) desc, contact_id limit 2`.execute(db.kysely);
    const [winnerId, loserId] = pair.rows.map((r) => r.contact_id) as [string, string];
    const merged = await db.kysely.transaction().execute((trx) => mergeContactPair(trx, workspaceId, { winnerId, loserId, reason: 'test', actor: cliActor() }));
    expect(merged).toBeDefined();
    const onLoser = await sql<{ n: number }>`select count(*)::int as n from touchpoints where workspace_id = ${workspaceId}::uuid and contact_id = ${loserId}::uuid`.execute(db.kysely);
    expect(onLoser.rows[0]!.n).toBe(0);
    await expectNoDrift();
    await db.kysely.transaction().execute((trx) => undoContactMerge(trx, workspaceId, merged!.mergeId, cliActor()));
    await expectNoDrift();

    const person = await sql<{ id: string; email: string }>`
      select c.id, c.email from contacts c where c.workspace_id = ${workspaceId}::uuid and c.email is not null
        and exists (select 1 from touchpoints t where t.workspace_id = c.workspace_id and t.contact_id = c.id)
      order by c.id limit 1`.execute(db.kysely);
    const { id, email } = person.rows[0]!;
    expect((await requestErasure(db.kysely, workspaceId, email, cliActor())).status).toBe('done');
    const left = await sql<{ n: number }>`select count(*)::int as n from touchpoints where workspace_id = ${workspaceId}::uuid and contact_id = ${id}::uuid`.execute(db.kysely);
    expect(left.rows[0]!.n).toBe(0);
    await expectNoDrift();
  });
});

function quarter(back: number): Date {
  const q = Math.floor(ANCHOR.getUTCMonth() / 3) - back;
  return new Date(Date.UTC(ANCHOR.getUTCFullYear(), q * 3, 1));
}
