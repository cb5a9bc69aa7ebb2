import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import type { Db } from '../../platform/db/connection.ts';
import { systemActor } from '../audit/index.ts';
import { listAccounts } from '../accounts/index.ts';
import { listContacts } from '../contacts/index.ts';
import { listEvents } from '../events/index.ts';
import { listOpportunities } from '../opportunities/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { exportCsv, exportImportRefusals } from './csv-export.ts';
import { importCsv, type ImportRequest } from './import.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

const newWorkspace = async () => (await createWorkspace(db.kysely, 'import test')).id;

function run(workspaceId: string, kind: ImportRequest['kind'], csv: string | Buffer, extra: Partial<ImportRequest> = {}) {
  return importCsv(db.kysely, {
    workspaceId,
    kind,
    source: Readable.from([typeof csv === 'string' ? Buffer.from(csv) : csv]),
    fileName: `${kind}.csv`,
    actor: systemActor('test'),
    ...extra,
  });
}

/** The traits a file gave, without what normalization (match keys) and enrichment derive from them. */
const givenTraits = (traits: Record<string, unknown>) => Object.fromEntries(Object.entries(traits).filter(([k]) => !/^enrich(ed|ment)_|_match_key$/.test(k)));

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const c of chunks) text += c;
  return text;
}

const CONTACTS = [
  'Email Address;First Name;Last Name;Company;Lead Source',
  ' Ada@Example.com ;Ada;Lovelace;Analytical Engines;Webinar',
  'grace@example.com;Grace;Hopper;Navy;',
  'not-an-email;Bad;Row;X;',
  'linus@example.com;Linus;Torvalds',
  'GRACE@example.com;Grace;Hopper;Navy;"Trade show; booth 4"',
].join('\n');

describe(`importCsv (${testDatabaseLabel})`, () => {
  it('imports contacts, refuses bad rows with their reason, and re-imports without changes', async () => {
    const ws = await newWorkspace();
    const first = await run(ws, 'contacts', CONTACTS, { batchRows: 2 });
    expect(first).toMatchObject({ status: 'completed', delimiter: ';', rowsRead: 5, rowsCommitted: 5, inserted: 2, updated: 1, unchanged: 0, refused: 2, error: null });
    const contacts = await listContacts(db.kysely, ws, { limit: 10 });
    expect(contacts.map((c) => [c.email, c.company, givenTraits(c.traits)]).sort()).toEqual([
      ['ada@example.com', 'Analytical Engines', { lead_source: 'Webinar' }],
      ['grace@example.com', 'Navy', { lead_source: 'Trade show; booth 4' }],
    ]);
    const report = await collect(exportImportRefusals(db.kysely, ws, first.jobId!));
    expect(report).toBe(
      'row,line,column,value,reason\r\n' +
        '3,4,Email Address,not-an-email,"email ""not-an-email"" is not an email address"\r\n' +
        '4,5,,,row has 3 fields; the header has 5\r\n',
    );
    const again = await run(ws, 'contacts', CONTACTS);
    expect(again).toMatchObject({ status: 'completed', inserted: 0, updated: 0, unchanged: 3, refused: 2 });
    expect(await listContacts(db.kysely, ws, { limit: 10 })).toHaveLength(2);
  });

  it('applies --map overrides and refuses a mapping without any key column before writing', async () => {
    const ws = await newWorkspace();
    const summary = await run(ws, 'contacts', 'Mail,Notes,Customer Number\na@x.com,call back,C-1\n', { mapping: { Mail: 'email', Notes: 'ignore', 'Customer Number': 'user_id' } });
    expect(summary).toMatchObject({ inserted: 1, mapping: { Mail: 'email', Notes: 'ignore', 'Customer Number': 'user_id' } });
    const [contact] = await listContacts(db.kysely, ws, { limit: 1 });
    expect(givenTraits(contact!.traits)).toEqual({});
    await expect(run(ws, 'contacts', 'Name,Notes\nAda,x\n')).rejects.toThrow(/needs a column mapped to email or user_id; the columns are "Name", "Notes"/);
  });

  it('dry run shows the mapping and refusals and writes nothing', async () => {
    const ws = await newWorkspace();
    const summary = await run(ws, 'contacts', CONTACTS, { dryRun: true });
    expect(summary).toMatchObject({ status: 'dry_run', jobId: null, rowsRead: 5, refused: 2 });
    expect(summary.refusals!.map((r) => r.row)).toEqual([3, 4]);
    expect(await listContacts(db.kysely, ws, { limit: 10 })).toHaveLength(0);
  });

  it('stops at a malformed file, keeps the committed batches, and says exactly what is written', async () => {
    const ws = await newWorkspace();
    const rows = Array.from({ length: 7 }, (_, i) => `p${i}@x.com,P${i}`);
    const summary = await run(ws, 'contacts', `email,name\n${rows.join('\n')}\nbroken@x.com,"never closed\nlast@x.com,L\n`, { batchRows: 3 });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/Malformed CSV at data row 8 \(line 10\): a quote opened in this row is never closed/);
    // Batches of 3: rows 1-3 and 4-6 committed, then row 7 in the last partial batch before the error is not.
    expect(summary).toMatchObject({ rowsCommitted: 6, inserted: 6 });
    expect(await listContacts(db.kysely, ws, { limit: 20 })).toHaveLength(6);
  });

  it('upserts accounts by external id, else by domain; refuses unparseable core values', async () => {
    const ws = await newWorkspace();
    const csv = ['Account ID,Website,Company Name,Employees,Tier', 'A-1,https://www.acme.com/about,Acme,1200,gold', ',beta.io,Beta,40,', 'A-3,,Gamma,lots,'].join('\n');
    expect(await run(ws, 'accounts', csv)).toMatchObject({ inserted: 2, refused: 1 });
    const update = ['Account ID,Website,Company Name,Employees', ',acme.com,Acme Corp,', 'B-2,beta.io,,45', 'A-1,,Acme Corp,'].join('\n');
    expect(await run(ws, 'accounts', update)).toMatchObject({ inserted: 0, updated: 2, unchanged: 1, refused: 0 });
    const accounts = await listAccounts(db.kysely, ws, { limit: 10 });
    expect(accounts.map((a) => [a.external_id, a.domain, a.name, a.employees, givenTraits(a.traits)]).sort()).toEqual([
      ['A-1', 'acme.com', 'Acme Corp', 1200, { tier: 'gold' }],
      ['B-2', 'beta.io', 'Beta', 45, {}],
    ]);
  });

  it('imports opportunities onto accounts by external id or domain, updating those already stored', async () => {
    const ws = await newWorkspace();
    await run(ws, 'accounts', 'Account ID,Domain,Name\nA-1,acme.com,Acme\n');
    const csv = [
      'Opportunity ID,Account ID,Account Domain,Opportunity Name,Amount,Stage,Created Date,Close Date,Currency',
      'O-1,A-1,,Acme New,"48,000.00",Closed Won,2024-03-01,2024-05-10,usd',
      'O-2,,acme.com,Acme Upsell,1000,Proposal,2024-06-01,,',
      'O-3,A-404,,Ghost,10,Proposal,2024-06-01,,',
      'O-4,A-1,,Bad Amount,-5,Proposal,2024-06-01,,',
    ].join('\n');
    const first = await run(ws, 'opportunities', csv);
    expect(first).toMatchObject({ inserted: 2, refused: 2 });
    const report = await collect(exportImportRefusals(db.kysely, ws, first.jobId!));
    expect(report).toContain('3,4,,A-404,"no account with external id ""A-404"" in this workspace"');
    expect(report).toContain('4,5,amount,-5,"amount must be a number >= 0 (at most 18 integer digits and 2 decimals), got ""-5"""');
    expect(await run(ws, 'opportunities', csv)).toMatchObject({ inserted: 0, updated: 0, unchanged: 2, refused: 2 });
    const list = await listOpportunities(db.kysely, ws);
    expect(list.items.map((o) => [o.external_id, o.amount, o.status]).sort()).toEqual([['O-1', '48000.00', 'won'], ['O-2', '1000.00', 'open']]);
    // The CRM moved O-2 on: a re-import updates it instead of skipping it.
    const moved = csv.replace('O-2,,acme.com,Acme Upsell,1000,Proposal,2024-06-01,,', 'O-2,,acme.com,Acme Upsell,1500,Closed Won,2024-06-01,2024-07-01,');
    expect(await run(ws, 'opportunities', moved)).toMatchObject({ inserted: 0, updated: 1, unchanged: 1, refused: 2 });
    const after = await listOpportunities(db.kysely, ws);
    expect(after.items.map((o) => [o.external_id, o.amount, o.status]).sort()).toEqual([['O-1', '48000.00', 'won'], ['O-2', '1500.00', 'won']]);
  });

  it('imports track events through identity resolution, idempotent without a message id column', async () => {
    const ws = await newWorkspace();
    await run(ws, 'contacts', 'email,first name\nada@example.com,Ada\n');
    const csv = ['Event,Timestamp,Email,Plan', 'Trial Started,2024-05-01T10:00:00Z,ada@example.com,pro', 'Webinar Attended,2024-05-02T10:00:00Z,ADA@example.com,', 'Bad Time,yesterday-ish,ada@example.com,'].join('\n');
    const first = await run(ws, 'events', csv);
    expect(first).toMatchObject({ inserted: 2, refused: 1 });
    expect(await run(ws, 'events', csv)).toMatchObject({ inserted: 0, unchanged: 2, refused: 1 });
    const [contact] = await listContacts(db.kysely, ws, { limit: 5 });
    const events = await listEvents(db.kysely, ws, { contactId: contact!.id, limit: 10 });
    expect(events.map((e) => [e.name, e.properties]).sort()).toEqual([['Trial Started', { plan: 'pro' }], ['Webinar Attended', {}]]);
    expect(await listContacts(db.kysely, ws, { limit: 5 })).toHaveLength(1);
  });

  it('exports contacts as RFC 4180 CSV that imports back to the same contacts', async () => {
    const ws = await newWorkspace();
    await run(ws, 'contacts', 'email,title,notes\nq@x.com,"Head of ""Ops""\nEMEA","a,b"\n');
    const csv = await collect(exportCsv(db.kysely, ws, 'contacts', systemActor('test')));
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('id,email,phone,first_name,last_name,title,company,country,timezone,created_at,updated_at,first_seen_at,last_seen_at,traits');
    // Normalization folds the line break of a job title into a space; quotes stay escaped.
    expect(csv).toContain(',q@x.com,,,,"Head of ""Ops"" EMEA",');
    expect(csv).toContain(',"{""notes"":""a,b"",""enriched_seniority"":""Director""'); // traits JSON quoted, with enrichment's
    const back = await run(ws, 'contacts', csv, { mapping: { id: 'ignore', traits: 'ignore', created_at: 'ignore', updated_at: 'ignore', first_seen_at: 'ignore', last_seen_at: 'ignore' } });
    expect(back).toMatchObject({ inserted: 0, unchanged: 1, refused: 0 });
  });
});
