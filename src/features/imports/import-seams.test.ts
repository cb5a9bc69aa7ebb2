import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import type { Db } from '../../platform/db/connection.ts';
import { systemActor } from '../audit/index.ts';
import { replaceWithErasedHash } from '../consent/index.ts';
import { listContacts } from '../contacts/index.ts';
import { listFieldIssues } from '../normalization/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { exportImportRefusals } from './csv-export.ts';
import { importCsv } from './import.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const c of chunks) text += c;
  return text;
}

describe(`CSV import meets consent, normalization, enrichment and audiences (${testDatabaseLabel})`, () => {
  it('refuses erased people with a reason, records validation issues, enriches and queues audience work', async () => {
    const ws = (await createWorkspace(db.kysely, 'import seams')).id;
    await db.kysely.transaction().execute((trx) => replaceWithErasedHash(trx, ws, 'gone@example.com'));
    const csv = ['email,first name,phone,title', 'GONE@example.com,Gone,,', 'ana@example.com,Ana,call me maybe,VP Marketing', 'ben@example.com,Ben,+44 20 7946 0958,Engineer'].join('\n');
    const job = await importCsv(db.kysely, { workspaceId: ws, kind: 'contacts', source: Readable.from([Buffer.from(csv)]), fileName: 'c.csv', actor: systemActor('test') });
    expect(job).toMatchObject({ status: 'completed', inserted: 2, refused: 1 });

    const report = await collect(exportImportRefusals(db.kysely, ws, job.jobId!));
    expect(report).toContain('1,2,email,,this email belongs to a person who was erased');
    expect(report).not.toContain('gone@');
    const contacts = await listContacts(db.kysely, ws, { limit: 10 });
    expect(contacts.map((c) => c.email).sort()).toEqual(['ana@example.com', 'ben@example.com']);
    const ana = contacts.find((c) => c.email === 'ana@example.com')!;

    // The invalid phone is a validation issue (source: import), not a column value.
    const issues = await listFieldIssues(db.kysely, ws, { objectType: 'contact', objectId: ana.id, limit: 10 });
    expect(issues.map((i) => [i.field, i.value, i.source])).toEqual([['phone', 'call me maybe', 'import']]);
    expect(ana.phone).toBeNull();

    // Enrichment ran on the imported contacts in the same transaction.
    expect(ana.traits).toMatchObject({ enriched_seniority: expect.any(String) as unknown });

    const queued = await db.kysely.selectFrom('audience_queue').select('entity_id').where('workspace_id', '=', ws).execute();
    expect(queued.map((q) => q.entity_id).sort()).toEqual(contacts.map((c) => c.id).sort());
  });
});
