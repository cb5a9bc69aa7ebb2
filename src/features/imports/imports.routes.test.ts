import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { silentLogger } from '../../platform/logger.ts';
import { startServer, type RunningServer } from '../../server.ts';
import { applySegment } from '../audiences/index.ts';
import { cliActor } from '../audit/index.ts';
import { createWorkspace, type CreatedWorkspace } from '../workspaces/index.ts';

const UPLOAD_LIMIT = 4 * 1024 * 1024;
let db: Db;
let server: RunningServer;
let base: string;
let ws: CreatedWorkspace;

beforeAll(async () => {
  db = await openTestDatabase();
  server = await startServer({ db, logger: silentLogger(), role: 'api', port: 0, host: '127.0.0.1', importMaxBytes: UPLOAD_LIMIT });
  base = `http://127.0.0.1:${server.port}`;
  ws = await createWorkspace(db.kysely, 'routes');
});
afterAll(async () => {
  await server.close();
  await db.close();
});

const auth = () => ({ authorization: `Bearer ${ws.adminKey.key}` });

/** A real multipart request over HTTP: fields first, then the file. */
function upload(kind: string, csv: string | Buffer, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([csv]), `${kind}.csv`);
  return fetch(`${base}/api/v1/imports/${kind}`, { method: 'POST', body: form, headers: auth() });
}

describe(`CSV import and export over HTTP (${testDatabaseLabel})`, () => {
  it('imports a multipart upload larger than the 1 MB management limit, streamed', async () => {
    const note = 'x'.repeat(200);
    const rows = Array.from({ length: 5_000 }, (_, i) => `person${i}@big.example,Person,Number ${i},Company ${i % 50},${note}`);
    const csv = `Email Address,First Name,Last Name,Company,Notes\n${rows.join('\n')}\n`;
    expect(Buffer.byteLength(csv)).toBeGreaterThan(1024 * 1024);
    const res = await upload('contacts', csv);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'completed', rowsRead: 5_000, inserted: 5_000, refused: 0 });
  });

  it('takes the mapping and dry_run as form fields, and serves the error report as CSV', async () => {
    const csv = 'Mail,Score\nok@x.com,5\nnope,7\n';
    const dry = await upload('contacts', csv, { mapping: JSON.stringify({ Mail: 'email' }), dry_run: 'true' });
    expect(await dry.json()).toMatchObject({ status: 'dry_run', jobId: null, mapping: { Mail: 'email', Score: 'trait.score' }, refused: 1 });
    const res = await upload('contacts', csv, { mapping: 'Mail: email\n' });
    const summary = (await res.json()) as { jobId: string; inserted: number };
    expect(summary.inserted).toBe(1);
    const report = await fetch(`${base}/api/v1/imports/${summary.jobId}/errors`, { headers: auth() });
    expect(report.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await report.text()).toBe('row,line,column,value,reason\r\n2,3,Mail,nope,"email ""nope"" is not an email address"\r\n');
    const job = await fetch(`${base}/api/v1/imports/${summary.jobId}`, { headers: auth() });
    expect(await job.json()).toMatchObject({ id: summary.jobId, status: 'completed', rows_committed: 2, inserted: 1, refused: 1 });
  });

  it('refuses bad uploads with a message naming what is wrong', async () => {
    const wrongType = await fetch(`${base}/api/v1/imports/contacts`, { method: 'POST', body: 'email\na@x.com\n', headers: { ...auth(), 'content-type': 'text/csv' } });
    expect(wrongType.status).toBe(415);
    const badMapping = await upload('contacts', 'email\na@x.com\n', { mapping: JSON.stringify({ email: 'e_mail' }) });
    expect(badMapping.status).toBe(400);
    expect(((await badMapping.json()) as { error: { message: string } }).error.message).toMatch(/target "e_mail" is not one of/);
    const badFlag = await upload('contacts', 'email\na@x.com\n', { dry_run: 'yes' });
    expect(((await badFlag.json()) as { error: { message: string } }).error.message).toBe('dry_run must be "true" or "false", got "yes"');
    const tooBig = await upload('contacts', Buffer.alloc(UPLOAD_LIMIT + 1, 'a'));
    expect(tooBig.status).toBe(413);
    // Other management routes keep their 1 MB limit.
    const big = await fetch(`${base}/api/v1/imports/contacts/mapping`, {
      method: 'POST',
      body: JSON.stringify({ header: ['x'.repeat(1024 * 1024)] }),
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(big.status).toBe(413);
  });

  it('stops a streamed upload at the limit, keeping and reporting what was written before it', async () => {
    const boundary = 'keel-test-boundary';
    const note = 'n'.repeat(2000);
    const encoder = new TextEncoder();
    let row = 0;
    // Chunked (no Content-Length): only the streamed count can catch it.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (row === 0) controller.enqueue(encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\nemail,notes\n`));
        const lines = Array.from({ length: 100 }, () => `stream${row++}@x.com,${note}\n`).join('');
        controller.enqueue(encoder.encode(lines));
        if (row >= 2_500) {
          controller.enqueue(encoder.encode(`\r\n--${boundary}--\r\n`));
          controller.close();
        }
      },
    });
    const res = await fetch(`${base}/api/v1/imports/contacts`, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { ...auth(), 'content-type': `multipart/form-data; boundary=${boundary}` },
    } as RequestInit);
    const summary = (await res.json()) as { status: string; error: string; rowsCommitted: number; inserted: number };
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/Upload too large: the file is larger than the import limit of 4194304 bytes/);
    expect(summary.rowsCommitted).toBeGreaterThan(0);
    expect(summary.rowsCommitted).toBeLessThan(2_100);
    expect(summary.inserted).toBe(summary.rowsCommitted);
  });

  it('suggests a mapping for a header', async () => {
    const res = await fetch(`${base}/api/v1/imports/accounts/mapping`, {
      method: 'POST',
      body: JSON.stringify({ header: ['Account ID', 'Website', 'Segment'] }),
      headers: { ...auth(), 'content-type': 'application/json' },
    });
    expect(await res.json()).toEqual({ mapping: { 'Account ID': 'external_id', Website: 'domain', Segment: 'trait.segment' } });
  });

  it('streams an export of every contact as CSV', async () => {
    const res = await fetch(`${base}/api/v1/exports/contacts`, { headers: auth() });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await res.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^id,email,/);
    expect(lines.length).toBeGreaterThan(1 + 5_000 + 1);
    expect(lines.filter((l) => l.includes('person4999@big.example'))).toHaveLength(1);
  });

  it("streams a contact segment's members as the contacts CSV, and refuses an unknown segment", async () => {
    const seg = await createWorkspace(db.kysely, 'segment-export');
    const headers = { authorization: `Bearer ${seg.adminKey.key}` };
    const form = new FormData();
    form.append('file', new Blob(['email,title\nvp@seg.example,VP Sales\nana@seg.example,Analyst\nceo@seg.example,CEO\n']), 'people.csv');
    expect((await fetch(`${base}/api/v1/imports/contacts`, { method: 'POST', body: form, headers })).status).toBe(200);
    await applySegment(db.kysely, seg.id, { name: 'Leaders', rules: [{ field: { name: 'title', op: 'in', value: ['VP Sales', 'CEO'] } }] }, cliActor());
    const res = await fetch(`${base}/api/v1/exports/segments/Leaders`, { headers });
    expect(res.status).toBe(200);
    const lines = (await res.text()).split('\r\n').filter(Boolean);
    expect(lines[0]).toMatch(/^id,email,/);
    expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['ceo@seg.example', 'vp@seg.example']);
    const missing = await fetch(`${base}/api/v1/exports/segments/Nobody`, { headers });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('No segment named \\"Nobody\\"');
  });
});
