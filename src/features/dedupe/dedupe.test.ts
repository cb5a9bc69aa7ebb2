import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';
import { createOpportunity } from '../opportunities/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { acceptPair, rejectPair } from './dedupe-review.ts';
import { runDedupe } from './dedupe-run.ts';
import { listMerges, saveDedupeSettings, undoMerge } from './dedupe.service.ts';
import { DEFAULT_DEDUPE_SETTINGS } from './dedupe-settings.ts';
import { generateMarketingContacts } from './marketing-data-generator.ts';

let db: Db;
const actor = cliActor();
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

async function ingest(workspaceId: string, events: Array<Record<string, unknown>>) {
  await acceptEvents(db.kysely, workspaceId, { events, receivedAt: new Date() });
  await processInbox(db.kysely);
}

/** Every row a merge may touch, in a comparable form (updated_at aside: undo is a new update). */
async function snapshotOf(workspaceId: string) {
  const k = db.kysely;
  const contacts = await k.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
  const accounts = await k.selectFrom('accounts').selectAll().where('workspace_id', '=', workspaceId).orderBy('id').execute();
  return JSON.parse(
    JSON.stringify({
      contacts: contacts.map(({ updated_at: _, ...c }) => c),
      accounts: accounts.map(({ updated_at: _, ...a }) => a),
      identities: await k.selectFrom('identities').select(['kind', 'value', 'contact_id']).where('workspace_id', '=', workspaceId).orderBy('kind').orderBy('value').execute(),
      events: await k.selectFrom('events').select(['message_id', 'contact_id']).where('workspace_id', '=', workspaceId).orderBy('message_id').execute(),
      links: await k.selectFrom('contact_accounts').select(['contact_id', 'account_id', 'created_at']).where('workspace_id', '=', workspaceId).orderBy('contact_id').orderBy('account_id').execute(),
      opportunities: await k.selectFrom('opportunities').select(['id', 'account_id']).where('workspace_id', '=', workspaceId).orderBy('id').execute(),
    }),
  ) as Record<string, unknown[]>;
}

async function seedContacts(workspaceId: string) {
  // A few hundred generated people give EM something to learn from; two hand-made records are the pair we follow.
  const people = generateMarketingContacts({ people: 120, seed: 5 });
  await ingest(
    workspaceId,
    people.map((p, i) => ({
      type: 'identify',
      anonymousId: `gen-${p.id}`,
      messageId: `gen-${i}`,
      timestamp: '2026-01-01T00:00:00Z',
      traits: { email: p.values.email, firstName: p.values.first_name, lastName: p.values.last_name, phone: p.values.phone, company: p.values.company, city: p.values.city },
    })),
  );
  await ingest(workspaceId, [
    { type: 'identify', userId: 'u-robert', messageId: 'r1', timestamp: '2026-02-01T00:00:00Z', traits: { email: 'robert.quintalby@northwind.com', firstName: 'Robert', lastName: 'Quintalby', phone: '+1 415 555 0101', company: 'Northwind Inc.', title: 'VP Marketing', city: 'Austin' } },
    { type: 'group', userId: 'u-robert', groupId: 'northwind', messageId: 'r2', traits: { name: 'Northwind', website: 'northwind.com' } },
    { type: 'track', userId: 'u-robert', event: 'Webinar Attended', messageId: 'r3' },
    { type: 'identify', anonymousId: 'anon-bob', messageId: 'b1', timestamp: '2026-03-01T00:00:00Z', traits: { email: 'bob.quintalby@gmail.com', firstName: 'Bob', lastName: 'Quintalby', phone: '(415) 555-0101', company: 'NORTHWIND', title: 'SVP Marketing', city: 'Austin' } },
    { type: 'page', anonymousId: 'anon-bob', name: 'Pricing', messageId: 'b2' },
  ]);
}

async function contactIdOf(workspaceId: string, email: string) {
  const row = await db.kysely.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirstOrThrow();
  return row.id;
}

describe(`dedupe and merge in the database (${testDatabaseLabel})`, () => {
  it('a dry run scores and explains pairs but writes nothing', async () => {
    const ws = await createWorkspace(db.kysely, 'dry');
    await seedContacts(ws.id);
    const before = await snapshotOf(ws.id);
    const summary = await runDedupe(db.kysely, ws.id, 'contact', { dryRun: true, actor });
    expect(summary.run_id).toBeNull();
    expect(summary.above_auto_merge + summary.in_review_band).toBeGreaterThan(10);
    expect(summary.candidate_pairs).toBeLessThan(summary.all_pairs / 20);
    expect(summary.top_pairs[0]!.evidence.map((e) => e.field)).toEqual(['first_name', 'last_name', 'email', 'phone', 'company', 'city']);
    expect(await snapshotOf(ws.id)).toEqual(before);
    expect(await db.kysely.selectFrom('dedupe_runs').select('id').where('workspace_id', '=', ws.id).execute()).toHaveLength(0);
  });

  it('merges (auto or by review), keeps every event, identity and account link, applies survivorship, and undoes exactly', async () => {
    const ws = await createWorkspace(db.kysely, 'merge');
    await seedContacts(ws.id);
    const robert = await contactIdOf(ws.id, 'robert.quintalby@northwind.com');
    const bob = await contactIdOf(ws.id, 'bob.quintalby@gmail.com');
    const before = await snapshotOf(ws.id);

    const summary = await runDedupe(db.kysely, ws.id, 'contact', { dryRun: false, actor });
    expect(summary.merged).toBeGreaterThan(0);
    const [a, b] = robert < bob ? [robert, bob] : [bob, robert];
    const pair = await db.kysely.selectFrom('dedupe_pairs').selectAll().where('workspace_id', '=', ws.id).where('record_a', '=', a).where('record_b', '=', b).executeTakeFirstOrThrow();
    expect(['merged', 'pending']).toContain(pair.status);
    if (pair.status === 'pending') await acceptPair(db.kysely, ws.id, pair.id, actor);

    const survivor = await db.kysely.selectFrom('contacts').selectAll().where('workspace_id', '=', ws.id).where('id', 'in', [robert, bob]).execute();
    expect(survivor).toHaveLength(1);
    // Survivorship defaults: the fullest first name, the newest title, the survivor's email.
    expect(survivor[0]).toMatchObject({ id: robert, first_name: 'Robert', title: 'SVP Marketing', email: 'robert.quintalby@northwind.com' });
    const events = await db.kysely.selectFrom('events').select(['message_id', 'contact_id']).where('workspace_id', '=', ws.id).where('message_id', 'in', ['r1', 'r3', 'b1', 'b2']).execute();
    expect(new Set(events.map((e) => e.contact_id))).toEqual(new Set([robert]));
    const ids = await db.kysely.selectFrom('identities').select(['kind', 'value']).where('workspace_id', '=', ws.id).where('contact_id', '=', robert).execute();
    expect(ids.map((i) => `${i.kind}:${i.value}`)).toEqual(expect.arrayContaining(['user_id:u-robert', 'anonymous_id:anon-bob', 'email:bob.quintalby@gmail.com']));
    const audit = await db.kysely.selectFrom('audit_log').select(['action', 'actor_kind']).where('workspace_id', '=', ws.id).where('action', '=', 'contact.merged').execute();
    expect(audit.length).toBeGreaterThanOrEqual(summary.merged);

    // Undo every merge, newest first: the workspace is exactly as before the run.
    const merges = (await listMerges(db.kysely, ws.id, 'contact', 1000)).filter((m) => m.undone_at === null);
    for (const m of merges) await undoMerge(db.kysely, ws.id, 'contact', m.id, actor);
    expect(await snapshotOf(ws.id)).toEqual(before);
    expect(await db.kysely.selectFrom('audit_log').select('id').where('workspace_id', '=', ws.id).where('action', '=', 'contact.merge_undone').execute()).toHaveLength(merges.length);
    await expect(undoMerge(db.kysely, ws.id, 'contact', merges[0]!.id, actor)).rejects.toThrow(/already undone/);

    // An undone merge's pair is rejected: the next run neither merges nor queues it.
    await runDedupe(db.kysely, ws.id, 'contact', { dryRun: false, actor });
    const after = await db.kysely.selectFrom('dedupe_pairs').select('status').where('workspace_id', '=', ws.id).where('record_a', '=', a).where('record_b', '=', b).executeTakeFirstOrThrow();
    expect(after.status).toBe('rejected');
  });

  it('refuses to undo a merge whose survivor was merged away later, until that one is undone', async () => {
    const ws = await createWorkspace(db.kysely, 'chain');
    await saveDedupeSettings(db.kysely, ws.id, { ...DEFAULT_DEDUPE_SETTINGS, auto_merge_threshold: null, review_threshold: 0.5 }, actor);
    await ingest(ws.id, ['x', 'y', 'z'].map((n, i) => ({ type: 'identify', anonymousId: `chain-${n}`, messageId: `c-${n}`, timestamp: `2026-01-0${i + 1}T00:00:00Z`, traits: { email: `${n}@chain.io` } })));
    const [x, y, z] = await Promise.all(['x', 'y', 'z'].map((n) => contactIdOf(ws.id, `${n}@chain.io`)));
    const { mergeContactPair } = await import('../identity/index.ts');
    const first = await db.kysely.transaction().execute((tx) => mergeContactPair(tx, ws.id, { winnerId: y!, loserId: x!, reason: 'test', actor }));
    const second = await db.kysely.transaction().execute((tx) => mergeContactPair(tx, ws.id, { winnerId: z!, loserId: y!, reason: 'test', actor }));
    await expect(undoMerge(db.kysely, ws.id, 'contact', first!.mergeId, actor)).rejects.toThrow(new RegExp(`undo merge ${second!.mergeId} first`));
    await undoMerge(db.kysely, ws.id, 'contact', second!.mergeId, actor);
    await undoMerge(db.kysely, ws.id, 'contact', first!.mergeId, actor);
    const events = await db.kysely.selectFrom('events').select(['message_id', 'contact_id']).where('workspace_id', '=', ws.id).orderBy('message_id').execute();
    expect(events.map((e) => e.contact_id)).toEqual([x, y, z]);
  });

  it('merges accounts with their opportunities and contacts, and undoes it', async () => {
    const ws = await createWorkspace(db.kysely, 'accounts');
    await saveDedupeSettings(db.kysely, ws.id, { ...DEFAULT_DEDUPE_SETTINGS, auto_merge_threshold: null }, actor);
    const companies = ['Globex', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Wonka', 'Cyberdyne', 'Stark'];
    await ingest(ws.id, [
      ...companies.map((name, i) => ({ type: 'group', userId: `u${i}`, groupId: `g-${name}`, messageId: `g${i}`, traits: { name: `${name} Corp`, website: `${name.toLowerCase()}.com` } })),
      { type: 'group', userId: 'ua', groupId: 'crm-acme', messageId: 'ga', timestamp: '2026-01-01T00:00:00Z', traits: { name: 'Acme Inc.', website: 'https://www.acme.com', employees: 1200 } },
      { type: 'group', userId: 'ub', groupId: 'web-acme', messageId: 'gb', timestamp: '2026-01-02T00:00:00Z', traits: { name: 'ACME', website: 'acme.com' } },
    ]);
    const accountId = async (externalId: string) =>
      (await db.kysely.selectFrom('accounts').select('id').where('workspace_id', '=', ws.id).where('external_id', '=', externalId).executeTakeFirstOrThrow()).id;
    const [crm, web] = [await accountId('crm-acme'), await accountId('web-acme')];
    for (const [id, name] of [[crm, 'Renewal'], [web, 'Upsell']] as const) {
      await createOpportunity(db.kysely, ws.id, { accountId: id, name, amount: 1000, currency: 'USD', stage: 'Discovery', createdDate: '2026-01-05' });
    }
    const before = await snapshotOf(ws.id);
    await runDedupe(db.kysely, ws.id, 'account', { dryRun: false, actor });
    const [a, b] = crm < web ? [crm, web] : [web, crm];
    const pair = await db.kysely.selectFrom('dedupe_pairs').selectAll().where('workspace_id', '=', ws.id).where('record_a', '=', a).where('record_b', '=', b).executeTakeFirstOrThrow();
    expect(pair.status).toBe('pending');
    const outcome = await acceptPair(db.kysely, ws.id, pair.id, actor);
    expect(outcome).toMatchObject({ entity: 'account', movedRows: { opportunities: 1, contact_accounts: 1 } });
    const opportunities = await db.kysely.selectFrom('opportunities').select('account_id').where('workspace_id', '=', ws.id).execute();
    expect(new Set(opportunities.map((o) => o.account_id))).toEqual(new Set([outcome.winnerId]));
    await expect(acceptPair(db.kysely, ws.id, pair.id, actor)).rejects.toThrow(/merged, not pending/);
    await undoMerge(db.kysely, ws.id, 'account', outcome.mergeId, actor);
    expect(await snapshotOf(ws.id)).toEqual(before);
  });

  it('a rejected pair stays rejected in later runs and is audited', async () => {
    const ws = await createWorkspace(db.kysely, 'reject');
    await saveDedupeSettings(db.kysely, ws.id, { ...DEFAULT_DEDUPE_SETTINGS, auto_merge_threshold: null, review_threshold: 0.3 }, actor);
    await seedContacts(ws.id);
    await runDedupe(db.kysely, ws.id, 'contact', { dryRun: false, actor });
    const pending = await db.kysely.selectFrom('dedupe_pairs').select('id').where('workspace_id', '=', ws.id).where('status', '=', 'pending').execute();
    expect(pending.length).toBeGreaterThan(0);
    await rejectPair(db.kysely, ws.id, pending[0]!.id, actor);
    await runDedupe(db.kysely, ws.id, 'contact', { dryRun: false, actor });
    const row = await db.kysely.selectFrom('dedupe_pairs').select('status').where('workspace_id', '=', ws.id).where('id', '=', pending[0]!.id as never).executeTakeFirstOrThrow();
    expect(row.status).toBe('rejected');
    expect(await db.kysely.selectFrom('audit_log').select('id').where('workspace_id', '=', ws.id).where('action', '=', 'dedupe_pair.rejected').execute()).toHaveLength(1);
  });

  it('refuses invalid settings naming the field and the value', async () => {
    const ws = await createWorkspace(db.kysely, 'settings');
    await expect(saveDedupeSettings(db.kysely, ws.id, { ...DEFAULT_DEDUPE_SETTINGS, review_threshold: 1.5 }, actor)).rejects.toThrow(/review_threshold/);
    await expect(saveDedupeSettings(db.kysely, ws.id, { ...DEFAULT_DEDUPE_SETTINGS, contacts: { default: 'newest', fields: {} } }, actor)).rejects.toThrow(/contacts\.default/);
  });
});
