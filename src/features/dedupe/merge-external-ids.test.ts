import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { cliActor } from '../audit/index.ts';
import { importCsv, type ImportRequest } from '../imports/index.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { mergeAccountPair } from './account-merge.ts';
import { DEFAULT_DEDUPE_SETTINGS } from './dedupe-settings.ts';
import { mergeRecords, undoMerge } from './dedupe.service.ts';

let db: Db;
const actor = cliActor();
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const importFile = (workspaceId: string, kind: ImportRequest['kind'], lines: string[]) =>
  importCsv(db.kysely, { workspaceId, kind, source: Readable.from([Buffer.from(lines.join('\n'))]), fileName: `${kind}.csv`, actor });

const accountsOf = (workspaceId: string) =>
  db.kysely.selectFrom('accounts').select(['id', 'external_id', 'name', 'industry']).where('workspace_id', '=', workspaceId).orderBy('external_id').execute();

const accountIdOf = async (workspaceId: string, externalId: string) =>
  (await db.kysely.selectFrom('accounts').select('id').where('workspace_id', '=', workspaceId).where('external_id', '=', externalId).executeTakeFirstOrThrow()).id;

async function seedAcme(name: string) {
  const ws = (await createWorkspace(db.kysely, name)).id;
  await importFile(ws, 'accounts', ['external_id,name,domain', 'crm-acme,Acme Inc.,acme.com', 'web-acme,ACME,acme.io']);
  return { ws, crm: await accountIdOf(ws, 'crm-acme'), web: await accountIdOf(ws, 'web-acme') };
}

const mergeAccounts = (ws: string, winnerId: string, loserId: string) =>
  db.kysely.transaction().execute((tx) => mergeRecords(tx, ws, 'account', { winnerId, loserId }, DEFAULT_DEDUPE_SETTINGS, actor, { reason: 'test' }));

describe(`merges keep the merged-away record's external ids (${testDatabaseLabel})`, () => {
  it("an account import, group call and opportunity naming the loser's external id land on the survivor; undo gives it back", async () => {
    const { ws, crm, web } = await seedAcme('account external ids');
    const merge = await mergeAccounts(ws, crm, web);

    const update = await importFile(ws, 'accounts', ['external_id,industry', 'web-acme,Software']);
    expect(update).toMatchObject({ status: 'completed', inserted: 0, updated: 1 });
    expect(await accountsOf(ws)).toEqual([{ id: crm, external_id: 'crm-acme', name: 'Acme Inc.', industry: 'Software' }]);

    await acceptEvents(db.kysely, ws, { events: [{ type: 'group', userId: 'u1', groupId: 'web-acme', messageId: 'g1', traits: { industry: 'SaaS' } }], receivedAt: new Date() });
    await processInbox(db.kysely);
    expect(await accountsOf(ws)).toEqual([{ id: crm, external_id: 'crm-acme', name: 'Acme Inc.', industry: 'SaaS' }]);
    const links = await db.kysely.selectFrom('contact_accounts').select('account_id').where('workspace_id', '=', ws).execute();
    expect(links.map((l) => l.account_id)).toEqual([crm]);

    const deals = await importFile(ws, 'opportunities', ['external_id,account_external_id,name,amount,stage,created_date', 'opp-1,web-acme,Renewal,1000,Discovery,2026-01-05']);
    expect(deals).toMatchObject({ inserted: 1, refused: 0 });
    const opportunity = await db.kysely.selectFrom('opportunities').select('account_id').where('workspace_id', '=', ws).executeTakeFirstOrThrow();
    expect(opportunity.account_id).toBe(crm);

    await undoMerge(db.kysely, ws, 'account', merge.mergeId, actor);
    expect((await accountsOf(ws)).map((a) => [a.id, a.external_id])).toEqual([[crm, 'crm-acme'], [web, 'web-acme']]);
    await importFile(ws, 'accounts', ['external_id,industry', 'web-acme,Retail']);
    expect((await accountsOf(ws)).find((a) => a.id === web)?.industry).toBe('Retail');
  });

  it("keeps the survivor's own external id when survivorship takes the loser's, through chained merges and their undos", async () => {
    const { ws, crm, web } = await seedAcme('chained external ids');
    await importFile(ws, 'accounts', ['external_id,name,domain', 'erp-acme,Acme Group,acme.net']);
    const erp = await accountIdOf(ws, 'erp-acme');
    // The survivor (crm) takes the loser's external id: its own, crm-acme, must stay reachable.
    const first = await db.kysely.transaction().execute((tx) =>
      mergeAccountPair(tx, ws, { winnerId: crm, loserId: web, reason: 'test', actor, choose: (w, l) => ({ ...w, external_id: l.external_id }) }),
    );
    const second = await mergeAccounts(ws, erp, crm);
    await importFile(ws, 'accounts', ['external_id,industry', 'crm-acme,Software', 'web-acme,Software']);
    expect(await accountsOf(ws)).toEqual([{ id: erp, external_id: 'erp-acme', name: 'Acme Group', industry: 'Software' }]);

    await undoMerge(db.kysely, ws, 'account', second.mergeId, actor);
    await importFile(ws, 'accounts', ['external_id,industry', 'crm-acme,Retail']);
    expect((await accountsOf(ws)).map((a) => [a.id, a.external_id, a.industry])).toEqual([
      [erp, 'erp-acme', 'Software'],
      [crm, 'web-acme', 'Retail'],
    ]);
    await undoMerge(db.kysely, ws, 'account', first.mergeId, actor);
    const created = await importFile(ws, 'accounts', ['external_id,industry', 'crm-acme,Energy', 'web-acme,Mining']);
    expect(created).toMatchObject({ inserted: 0, updated: 2 });
    expect((await accountsOf(ws)).map((a) => [a.id, a.external_id, a.industry])).toEqual([
      [crm, 'crm-acme', 'Energy'],
      [erp, 'erp-acme', 'Software'],
      [web, 'web-acme', 'Mining'],
    ]);
  });

  it("a contact import naming the loser's user id or email lands on the survivor; undo gives them back", async () => {
    const ws = (await createWorkspace(db.kysely, 'contact external ids')).id;
    await importFile(ws, 'contacts', ['user_id,email,first_name', 'crm-1,ada@acme.com,Ada', 'web-7,ada.l@gmail.com,Ada']);
    const idOf = async (email: string) =>
      (await db.kysely.selectFrom('contacts').select('id').where('workspace_id', '=', ws).where('email', '=', email).executeTakeFirstOrThrow()).id;
    const [winner, loser] = [await idOf('ada@acme.com'), await idOf('ada.l@gmail.com')];
    const merge = await db.kysely.transaction().execute((tx) => mergeRecords(tx, ws, 'contact', { winnerId: winner, loserId: loser }, DEFAULT_DEDUPE_SETTINGS, actor, { reason: 'test' }));
    const update = await importFile(ws, 'contacts', ['user_id,title', 'web-7,CTO']);
    expect(update).toMatchObject({ inserted: 0, updated: 1 });
    await importFile(ws, 'contacts', ['email,phone', 'ada.l@gmail.com,+44 20 7946 0000']);
    const contacts = await db.kysely.selectFrom('contacts').select(['id', 'title', 'phone']).where('workspace_id', '=', ws).execute();
    expect(contacts).toEqual([{ id: winner, title: 'CTO', phone: expect.stringContaining('7946') }]);

    await undoMerge(db.kysely, ws, 'contact', merge.mergeId, actor);
    await importFile(ws, 'contacts', ['user_id,title', 'web-7,CFO']);
    const after = await db.kysely.selectFrom('contacts').select(['id', 'title']).where('workspace_id', '=', ws).orderBy('title').execute();
    expect(after.map((c) => c.id).sort()).toEqual([winner, loser].sort());
    expect(after.find((c) => c.id === loser)?.title).toBe('CFO');
  });
});
