import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { listAuditEntries, systemActor } from '../audit/index.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';
import { listFieldIssues, summarizeFieldValidity } from '../normalization/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { enrichContact } from './contact-enrichment.ts';
import { enrichAllAccounts, enrichAllContacts } from './enrichment.service.ts';
import { updateEnrichmentSettings } from './enrichment-settings.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

let n = 0;
async function ingest(workspaceId: string, events: Array<Record<string, unknown>>) {
  await acceptEvents(db.kysely, workspaceId, { events: events.map((e) => ({ messageId: `m${(n += 1)}`, ...e })), receivedAt: new Date() });
  await processInbox(db.kysely);
}

const contactByUser = async (workspaceId: string, userId: string) => {
  const identity = await db.kysely.selectFrom('identities').select('contact_id').where('workspace_id', '=', workspaceId).where('kind', '=', 'user_id').where('value', '=', userId).executeTakeFirstOrThrow();
  return db.kysely.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', identity.contact_id).executeTakeFirstOrThrow();
};
const accountsOf = (workspaceId: string, contactId: string) =>
  db.kysely.selectFrom('contact_accounts as ca').innerJoin('accounts as a', (j) => j.onRef('a.workspace_id', '=', 'ca.workspace_id').onRef('a.id', '=', 'ca.account_id'))
    .select(['a.id', 'a.domain', 'a.traits']).where('ca.workspace_id', '=', workspaceId).where('ca.contact_id', '=', contactId).execute();

describe('enrichContact (pure)', () => {
  it('derives seniority, department, e-mail type, account domain and time zone', () => {
    const result = enrichContact({ id: 'x', email: 'ada@eu.acme.co.uk', phone: null, title: 'SVP Marketing', country: 'GB', timezone: null });
    expect(result.traits).toEqual({ enriched_seniority: 'VP', enriched_department: 'Marketing', enriched_email_type: 'business', enriched_timezone: 'Europe/London' });
    expect(result.accountDomain).toBe('acme.co.uk');
    expect(result.sources).toMatchObject({ enriched_seniority: 'job_title', enriched_timezone: 'country', account: 'email_domain' });
  });

  it('takes the country from the phone, and gives no zone for a multi-zone country', () => {
    const result = enrichContact({ id: 'x', email: 'ada@gmail.com', phone: '+14155552671', title: null, country: null, timezone: null });
    expect(result.traits).toEqual({ enriched_email_type: 'personal', enriched_country: 'US' });
    expect(result.accountDomain).toBeUndefined();
    expect(result.timezoneCandidates).toContain('America/Los_Angeles');
    expect(enrichContact({ id: 'x', email: 'a@mailinator.com', phone: '+49301234567', title: null, country: null, timezone: null }).traits)
      .toEqual({ enriched_email_type: 'disposable', enriched_country: 'DE', enriched_timezone: 'Europe/Berlin' });
  });
});

describe(`normalization and enrichment on ingest (${testDatabaseLabel})`, () => {
  it('stores normalized fields, keeps invalid values as traits with a recorded issue, and clears it once fixed', async () => {
    const ws = await createWorkspace(db.kysely, 'normalize');
    await ingest(ws.id, [{
      type: 'identify', userId: 'u1', timestamp: '2026-01-01T00:00:00Z',
      traits: { email: ' Ada@ACME.com ', firstName: 'ADA', lastName: "o'brien", phone: '030 1234567', country: 'Deutschland', title: 'vp of marketing', company: 'Acme GmbH' },
    }]);
    let contact = await contactByUser(ws.id, 'u1');
    expect(contact).toMatchObject({ email: 'ada@acme.com', first_name: 'Ada', last_name: "O'Brien", phone: '+49301234567', country: 'DE', title: 'VP of Marketing', company: 'Acme GmbH' });
    expect(contact.traits).toMatchObject({ company_match_key: 'acme', phone_country: 'DE', enriched_seniority: 'VP', enriched_department: 'Marketing', enriched_email_type: 'business', enriched_timezone: 'Europe/Berlin' });

    await ingest(ws.id, [{ type: 'identify', userId: 'u1', timestamp: '2026-01-02T00:00:00Z', traits: { phone: 'call me maybe', country: 'Narnia' } }]);
    contact = await contactByUser(ws.id, 'u1');
    expect(contact).toMatchObject({ phone: '+49301234567', country: 'DE', traits: { phone: 'call me maybe', country: 'Narnia' } });
    const issues = await listFieldIssues(db.kysely, ws.id, { objectId: contact.id, limit: 10 });
    expect(issues.map((i) => [i.field, i.value, i.reason, i.source]).sort()).toEqual([
      ['country', 'Narnia', 'not a country code or name Keel knows', 'ingest'],
      ['phone', 'call me maybe', 'has no digits', 'ingest'],
    ]);
    expect(await summarizeFieldValidity(db.kysely, ws.id)).toEqual(expect.arrayContaining([
      { objectType: 'contact', field: 'phone', invalid: 1, reasons: [{ reason: 'has no digits', count: 1 }] },
    ]));

    await ingest(ws.id, [{ type: 'identify', userId: 'u1', timestamp: '2026-01-03T00:00:00Z', traits: { phone: '+49 30 7654321' } }]);
    expect((await listFieldIssues(db.kysely, ws.id, { objectId: contact.id, limit: 10 })).map((i) => i.field)).toEqual(['country']);
  });

  it('records invalid account fields from group calls', async () => {
    const ws = await createWorkspace(db.kysely, 'group-issues');
    await ingest(ws.id, [{ type: 'group', userId: 'u1', groupId: 'g1', traits: { name: 'Acme', website: 'http://localhost', country: 'Atlantis' } }]);
    const issues = await listFieldIssues(db.kysely, ws.id, { objectType: 'account', limit: 10 });
    expect(issues.map((i) => i.field).sort()).toEqual(['country', 'domain']);
  });

  it('links contacts to the account of their business domain, creates accounts only when configured, never for free-mail', async () => {
    const ws = await createWorkspace(db.kysely, 'accounts');
    await ingest(ws.id, [{ type: 'group', userId: 'owner', groupId: 'acme', traits: { name: 'Acme', website: 'https://www.acme.com' } }]);
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', traits: { email: 'ada@mail.acme.com' } },
      { type: 'identify', userId: 'u2', traits: { email: 'bob@globex.io' } },
      { type: 'identify', userId: 'u3', traits: { email: 'cy@gmail.com' } },
    ]);
    expect((await accountsOf(ws.id, (await contactByUser(ws.id, 'u1')).id)).map((a) => a.domain)).toEqual(['acme.com']);
    expect(await accountsOf(ws.id, (await contactByUser(ws.id, 'u2')).id)).toEqual([]);

    await updateEnrichmentSettings(db.kysely, ws.id, { createAccountsFromEmailDomain: true, extraFreeMailDomains: ['globex.io'] }, systemActor('test'));
    await ingest(ws.id, [
      { type: 'identify', userId: 'u4', traits: { email: 'dee@initech.com' } },
      { type: 'identify', userId: 'u2', traits: { title: 'Engineer' } },
    ]);
    const created = await accountsOf(ws.id, (await contactByUser(ws.id, 'u4')).id);
    expect(created).toEqual([expect.objectContaining({ domain: 'initech.com', traits: expect.objectContaining({ created_by: 'enrichment' }) })]);
    // globex.io is now a free-mail domain of this workspace: no account for it.
    expect(await accountsOf(ws.id, (await contactByUser(ws.id, 'u2')).id)).toEqual([]);
    expect((await contactByUser(ws.id, 'u2')).traits).toMatchObject({ enriched_email_type: 'personal' });
    expect(await accountsOf(ws.id, (await contactByUser(ws.id, 'u3')).id)).toEqual([]);
    const audit = await listAuditEntries(db.kysely, ws.id, { limit: 10 });
    expect(audit.map((a) => a.action)).toContain('enrichment_settings.updated');
  });

  it('re-enriches existing contacts and accounts, replacing stale enriched values but never user traits', async () => {
    const ws = await createWorkspace(db.kysely, 're-enrich');
    await ingest(ws.id, [
      { type: 'identify', userId: 'u1', traits: { email: 'a@acme.com', title: 'Marketing Manager', seniority: 'Boss' } },
      { type: 'group', userId: 'u1', groupId: 'g', traits: { name: 'Acme', country: 'France' } },
    ]);
    const id = (await contactByUser(ws.id, 'u1')).id;
    // A title changed behind enrichment's back (an import that ran without it).
    await db.kysely.updateTable('contacts').set({ title: 'Consultant' }).where('workspace_id', '=', ws.id).where('id', '=', id).execute();
    const outcome = await enrichAllContacts(db.kysely, ws.id);
    expect(outcome).toMatchObject({ records: 1, enriched: 1 });
    const contact = await contactByUser(ws.id, 'u1');
    expect(contact.traits).toMatchObject({ seniority: 'Boss', enriched_seniority: 'Individual Contributor' });
    expect(contact.traits).not.toHaveProperty('enriched_department');
    // A second run finds nothing to change and rewrites no row.
    const before = await db.kysely.selectFrom('contacts').select(sql<string>`xmin::text`.as('v')).where('workspace_id', '=', ws.id).where('id', '=', id).executeTakeFirstOrThrow();
    await enrichAllContacts(db.kysely, ws.id);
    const after = await db.kysely.selectFrom('contacts').select(sql<string>`xmin::text`.as('v')).where('workspace_id', '=', ws.id).where('id', '=', id).executeTakeFirstOrThrow();
    expect(after.v).toBe(before.v);
    expect(await enrichAllAccounts(db.kysely, ws.id)).toMatchObject({ records: 1, enriched: 1 });
    const account = await db.kysely.selectFrom('accounts').selectAll().where('workspace_id', '=', ws.id).executeTakeFirstOrThrow();
    expect(account.traits).toMatchObject({ enriched_timezone: 'Europe/Paris', enrichment_sources: { enriched_timezone: 'country' } });
  });
});
