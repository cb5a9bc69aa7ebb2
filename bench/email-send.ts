// `npm run bench:email-send [-- --emails 1000 --batch 250 --pipeline 2 --concurrency 16 --targets postgres,pglite --parts raw,batch,one --senders 1]`
// Personalized email end to end, rendered and delivered to a local SMTP server (smtp-server,
// started here, in this process): Keel's batch path (renderEmails: template cached, contact
// data, Liquid, tracked links, text part; then mailer.sendBatch: the whole gate set-based,
// the message rows, delivery over the pooled transport; `--pipeline` batches of `--batch` in flight) beside raw
// nodemailer sends of one fixed message of the same shape (the same rendered HTML, text and
// List-Unsubscribe headers) over the same pool settings (pooledSmtpUrl), the same number in
// flight: the baseline of the same run. Also Keel one email at a time (renderEmail + send,
// `--concurrency` in flight), and the SQL statements per email of the batch path.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { KyselyPlugin } from 'kysely';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { sql, type Kysely } from 'kysely';
import { cliActor } from '../src/features/audit/index.ts';
import { createTopic, recordConsent, updatePolicies } from '../src/features/consent/index.ts';
import { createMailer, pooledSmtpUrl, type Mailer, type SendRequest } from '../src/features/messaging/index.ts';
import { applyTemplates, renderEmail, renderEmails } from '../src/features/templates/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import type { Database } from '../src/platform/db/schema.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

const { values } = parseArgs({
  options: {
    emails: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    batch: { type: 'string', default: '250' },
    pipeline: { type: 'string', default: '2' },
    'serve-smtp': { type: 'boolean', default: false },
    parts: { type: 'string', default: 'raw,batch,one' },
    senders: { type: 'string', default: '1' },
    sender: { type: 'boolean', default: false },
    targets: { type: 'string', default: 'postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const total = Number(values.emails);
const concurrency = Number(values.concurrency);
const batchSize = Number(values.batch);
const pipeline = Number(values.pipeline);
const parts = new Set(values.parts.split(',').map((p) => p.trim()));
const senders = Number(values.senders);
const actor = cliActor();
const PUBLIC_URL = 'https://keel.example';

const TEMPLATE = {
  kind: 'template',
  key: 'nurture',
  name: 'Nurture',
  topic: 'news',
  subject: '{{ contact.first_name | default: "Hi" }}, a plan for {{ contact.company | default: "your team" }}',
  preheader: 'What teams like {{ contact.company | default: "yours" }} automate first',
  body: `<mjml><mj-body><mj-section><mj-column>
  <mj-text>Ready, {{ contact.first_name }}? You are {{ contact.title | default: "a leader" }} at {{ contact.company | default: "your company" }}.</mj-text>
  <mj-button href="https://northwind.example/demo">Book a demo</mj-button>
  <mj-text><a href="https://northwind.example/blog?utm_campaign=blog">Blog</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`,
};

/** Runs `task(i)` for i < count with `concurrency` loops; returns operations per second. */
async function rate(count: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
  return count / ((performance.now() - started) / 1000);
}

/** Counts the statements Kysely sends (the same database, a counting handle). */
function counting(db: Kysely<Database>) {
  let statements = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => { statements += 1; return args.node; },
    transformResult: async (args) => args.result,
  };
  return { db: db.withPlugin(plugin), count: () => statements };
}

/**
 * The local SMTP relay, in a child process as a real relay would be (in this process it
 * would take the event loop Keel and the baseline run on): no reverse DNS look-up per
 * connection, no logging, every message read and counted.
 */
type Relay = Awaited<ReturnType<typeof smtpServer>>;

async function smtpServer() {
  const child = fork(fileURLToPath(import.meta.url), ['--serve-smtp'], { execArgv: [...process.execArgv, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (what: 'mails' | 'cpu') => new Promise<number>((resolve) => {
    child.once('message', (m: { [k: string]: number }) => resolve(m[what]!));
    child.send(what);
  });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return { port, mails: () => ask('mails'), cpuMs: () => ask('cpu'), close: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill(); }) };
}

function serveSmtp() {
  let mails = 0;
  const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], disableReverseLookup: true, logger: false, onData(stream, _s, cb) { stream.on('end', () => { mails += 1; cb(); }); stream.resume(); } });
  smtp.listen(0, '127.0.0.1', () => process.send!({ port: (smtp.server.address() as { port: number }).port }));
  process.on('message', () => {
    const cpu = process.cpuUsage();
    process.send!({ mails, cpu: (cpu.user + cpu.system) / 1000 });
  });
}

async function sendOne(db: Kysely<Database>, mailer: Mailer, workspaceId: string, contactId: string) {
  const messageId = randomUUID();
  const email = await renderEmail(db, { workspaceId, contactId, templateKey: 'nurture', messageId, publicUrl: PUBLIC_URL });
  const outcome = await mailer.send(db, { workspaceId, contactId, messageId, topicKey: 'news', kind: 'marketing', content: { subject: email.subject, text: email.text, html: email.html } });
  if (outcome.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(outcome)}`);
}

async function setUp(db: Db, smtpPort: number, count: number) {
  await migrateToLatest(db);
  const ws = await createWorkspace(db.kysely, 'email send bench');
  await createTopic(db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_in' }, actor);
  await updatePolicies(db.kysely, ws.id, { senderEmail: 'news@bench.example', senderName: 'Bench', postalAddress: '1 Bench St', smtpUrl: `smtp://127.0.0.1:${smtpPort}`, maxPerWeek: 50 }, actor);
  await applyTemplates(db.kysely, ws.id, TEMPLATE, actor);
  const ids = (await sql<{ id: string }>`
    insert into contacts (workspace_id, email, first_name, company, title)
    select ${ws.id}::uuid, 'c' || g || '@bench.example', 'Ada' || g, 'Company ' || (g % 50), case when g % 3 = 0 then 'CTO' end
    from generate_series(1, ${count}) g returning id`.execute(db.kysely)).rows.map((r) => r.id);
  await recordConsent(db.kysely, ws.id, ids.map((contactId) => ({ contactId, topicKey: 'news', status: 'opted_in' as const, source: 'import' as const })), actor);
  // Statistics of the rows just bulk-loaded, as autovacuum takes them within a minute of a
  // real import: without them the planner looks a contact's consent up through the topic
  // index, scanning every record of the topic (0.6 ms per email, most of PostgreSQL's CPU).
  await sql`analyze contacts, consent_records`.execute(db.kysely);
  return { workspaceId: ws.id, ids };
}

/** Runs batches 0..count-1, `pipeline` of them at a time (one renders while another is delivered). */
async function inFlight(count: number, batch: (b: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: pipeline }, async () => {
    while (next < count) await batch(next++);
  }));
}

/** Renders and sends `ids` in batches of `batchSize` (Keel's batch path); returns emails per second. */
async function keelBatches(db: Kysely<Database>, mailer: Mailer, workspaceId: string, ids: readonly string[]): Promise<number> {
  const started = performance.now();
  await inFlight(Math.ceil(ids.length / batchSize), async (b) => {
    const recipients = ids.slice(b * batchSize, (b + 1) * batchSize).map((contactId) => ({ contactId, messageId: randomUUID() }));
    const rendered = await renderEmails(db, { workspaceId, templateKey: 'nurture', publicUrl: PUBLIC_URL, recipients });
    const requests: SendRequest[] = rendered.map((r, k) => {
      if (!r.ok) throw r.error;
      return { workspaceId, contactId: recipients[k]!.contactId, messageId: recipients[k]!.messageId, topicKey: 'news', kind: 'marketing', content: { subject: r.email.subject, text: r.email.text, html: r.email.html } };
    });
    for (const o of await mailer.sendBatch(db, requests)) if (o.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(o)}`);
  });
  return ids.length / ((performance.now() - started) / 1000);
}

/** Raw nodemailer: one fixed message, the same pool settings, the same number in flight. */
async function rawBatches(port: number, message: Record<string, unknown>, count = total): Promise<number> {
  const raw = createTransport(pooledSmtpUrl(`smtp://127.0.0.1:${port}`));
  try {
    await raw.sendMail(message); // the pool open, as Keel's is after its warm-up
    const started = performance.now();
    await inFlight(Math.ceil(count / batchSize), (b) => Promise.all(Array.from({ length: Math.min(batchSize, count - b * batchSize) }, () => raw.sendMail(message))));
    return count / ((performance.now() - started) / 1000);
  } finally {
    raw.close();
  }
}

/** CPU time so far (ms): this process, the relay, and the PostgreSQL backends serving `database` (read from /proc). */
async function cpuNow(smtp: Relay, database: string | null): Promise<{ client: number; relay: number; postgres: number }> {
  const own = process.cpuUsage();
  return { client: (own.user + own.system) / 1000, relay: await smtp.cpuMs(), postgres: database ? await backendCpuMs(database) : 0 };
}

async function backendCpuMs(database: string): Promise<number> {
  const { readdir, readFile } = await import('node:fs/promises');
  let ticks = 0;
  for (const pid of (await readdir('/proc')).filter((d) => /^\d+$/.test(d))) {
    try {
      if (!(await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(` ${database} `)) continue;
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

interface Phase {
  rate: number;
  /** CPU ms per email: this process, the relay, the PostgreSQL backends. */
  cpu: { client: number; relay: number; postgres: number };
}

async function phase(smtp: Relay, database: string | null, count: number, run: () => Promise<number>): Promise<Phase> {
  const before = await cpuNow(smtp, database);
  const rate = await run();
  const after = await cpuNow(smtp, database);
  return { rate, cpu: { client: (after.client - before.client) / count, relay: (after.relay - before.relay) / count, postgres: (after.postgres - before.postgres) / count } };
}

async function measure(db: Db, smtp: Relay, database: string | null) {
  const probe = 50;
  const { workspaceId, ids } = await setUp(db, smtp.port, 2 * total + probe);
  const mailer = createMailer({ publicUrl: PUBLIC_URL });
  try {
    // Warm-up (template compiled and cached, pool open); then the fixed message of the baseline.
    await sendOne(db.kysely, mailer, workspaceId, ids[2 * total]!);
    const sample = await renderEmail(db.kysely, { workspaceId, contactId: ids[2 * total]!, templateKey: 'nurture', messageId: randomUUID(), publicUrl: PUBLIC_URL });
    const fixed = {
      from: '"Bench" <news@bench.example>', to: 'c1@bench.example', subject: sample.subject, text: sample.text, html: sample.html,
      headers: { 'List-Unsubscribe': '<mailto:unsubscribe@bench.example?subject=unsubscribe>, <https://keel.example/u/token>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    };
    if (senders > 1) {
      if (!database) throw new Error('--senders above 1 needs PostgreSQL (PGlite is one process)');
      const before = await smtp.mails();
      const raw = parts.has('raw') ? await spread(smtp, database, 'raw', { fixed, workspaceId, ids: ids.slice(0, total), probes: [] }) : null;
      const batched = parts.has('batch') ? await spread(smtp, database, 'batch', { fixed, workspaceId, ids: ids.slice(0, total), probes: ids.slice(2 * total + 1, 2 * total + 1 + senders) }) : null;
      const got = (await smtp.mails()) - before;
      const expected = (raw ? total + senders : 0) + (batched ? total + senders : 0);
      if (got !== expected) throw new Error(`the SMTP server got ${got} of ${expected} emails`);
      return { raw, batched, oneByOne: null, statements: Number.NaN };
    }
    const raw = parts.has('raw') ? await phase(smtp, database, total, () => rawBatches(smtp.port, fixed)) : null;
    const c = counting(db.kysely);
    const before = await smtp.mails();
    const batched = parts.has('batch') ? await phase(smtp, database, total, () => keelBatches(c.db, mailer, workspaceId, ids.slice(0, total))) : null;
    const statements = c.count() / total;
    const oneByOne = parts.has('one') ? await rate(total, (i) => sendOne(db.kysely, mailer, workspaceId, ids[total + i]!)) : null;
    const got = (await smtp.mails()) - before;
    const expected = (batched ? total : 0) + (oneByOne === null ? 0 : total);
    if (got !== expected) throw new Error(`the SMTP server got ${got} of ${expected} emails`);
    return { raw, batched, oneByOne, statements };
  } finally {
    await mailer.close();
  }
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');

interface SenderTask {
  mode: 'raw' | 'batch';
  url: string;
  port: number;
  workspaceId: string;
  ids: string[];
  probe: string | null;
  fixed: Record<string, unknown>;
}

/**
 * `--senders N`: the same work split over N processes, as N `keel start --role worker`
 * processes on one PostgreSQL would share it (raw nodemailer likewise, each process with
 * its own pool of the same settings). Each opens its database and pool and sends one
 * warm-up message; then all start together, and the rate is every email over the time
 * from the start to the last one's end. Client CPU is the sum of the processes'.
 */
async function spread(smtp: Relay, database: string, mode: 'raw' | 'batch', work: { fixed: Record<string, unknown>; workspaceId: string; ids: string[]; probes: string[] }): Promise<Phase> {
  const url = new URL(values['postgres-url']);
  url.pathname = `/${database}`;
  const children = Array.from({ length: senders }, (_, k) => {
    const child = fork(fileURLToPath(import.meta.url), ['--sender', '--batch', String(batchSize), '--pipeline', String(pipeline)], { execArgv: [...process.execArgv, '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const share = work.ids.filter((_, i) => i % senders === k);
    const task: SenderTask = { mode, url: url.toString(), port: smtp.port, workspaceId: work.workspaceId, ids: share, probe: work.probes[k] ?? null, fixed: work.fixed };
    const next = () => new Promise<{ cpu?: number }>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', (code) => reject(new Error(`sender ${k} exited with ${code}`)));
    });
    const ready = next();
    child.send(task);
    return { child, ready, next };
  });
  await Promise.all(children.map((c) => c.ready));
  const before = await cpuNow(smtp, database);
  const started = performance.now();
  const done = await Promise.all(children.map((c) => {
    const finished = c.next();
    c.child.send('go');
    return finished;
  }));
  const seconds = (performance.now() - started) / 1000;
  const after = await cpuNow(smtp, database);
  await Promise.all(children.map((c) => new Promise<void>((r) => { c.child.once('exit', () => r()); c.child.send('exit'); })));
  const clientMs = done.reduce((sum, d) => sum + (d.cpu ?? 0), 0);
  const count = work.ids.length;
  return { rate: count / seconds, cpu: { client: clientMs / count, relay: (after.relay - before.relay) / count, postgres: (after.postgres - before.postgres) / count } };
}

/** One sender process of `--senders`: set up, warm up, say ready; on "go" send its share and report its CPU. */
async function runSender() {
  const task = await new Promise<SenderTask>((resolve) => process.once('message', (m) => resolve(m as SenderTask)));
  const db = await openDatabase({ kind: 'postgres', url: task.url });
  const mailer = createMailer({ publicUrl: PUBLIC_URL });
  let send: () => Promise<unknown>;
  if (task.mode === 'raw') {
    const raw = createTransport(pooledSmtpUrl(`smtp://127.0.0.1:${task.port}`));
    await raw.sendMail(task.fixed);
    send = async () => {
      await inFlight(Math.ceil(task.ids.length / batchSize), (b) => Promise.all(Array.from({ length: Math.min(batchSize, task.ids.length - b * batchSize) }, () => raw.sendMail(task.fixed))));
      raw.close();
    };
  } else {
    await sendOne(db.kysely, mailer, task.workspaceId, task.probe!);
    send = () => keelBatches(db.kysely, mailer, task.workspaceId, task.ids);
  }
  process.send!({ ready: true });
  await new Promise((resolve) => process.once('message', resolve));
  const before = process.cpuUsage();
  await send();
  const cpu = process.cpuUsage(before);
  process.send!({ cpu: (cpu.user + cpu.system) / 1000 });
  await new Promise((resolve) => process.once('message', resolve));
  await mailer.close();
  await db.close();
  process.exit(0);
}

const cpuOf = (p: Phase | null) => (p ? `${p.cpu.client.toFixed(2)} / ${p.cpu.relay.toFixed(2)} / ${p.cpu.postgres.toFixed(2)}` : '-');

async function main() {
  console.log(`${total} personalized emails per measurement; ${pipeline} batches of ${batchSize} in flight (raw and Keel batch), ${concurrency} in flight one by one; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| target | raw nodemailer, fixed message (emails/s, baseline) | Keel batch: renderEmails + sendBatch + SMTP (emails/s) | Keel / raw | Keel one by one: renderEmail + send (emails/s) | SQL statements per email (batch) | CPU ms per email, raw: client / relay / PostgreSQL | the same, Keel batch |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  const smtp = await smtpServer();
  try {
    for (const target of values.targets.split(',').map((t) => t.trim())) {
      if (target !== 'pglite' && target !== 'postgres') throw new Error(`unknown target "${target}": use pglite and/or postgres`);
      const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench_email_send') : undefined;
      const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
      try {
        const r = await measure(db, smtp, scratch ? new URL(scratch.url).pathname.slice(1) : null);
        const ratio = r.raw && r.batched ? (r.batched.rate / r.raw.rate).toFixed(2) : '-';
        console.log(`| ${target}${senders > 1 ? `, ${senders} sender processes` : ''} | ${r.raw ? fmt(r.raw.rate) : '-'} | ${r.batched ? fmt(r.batched.rate) : '-'} | ${ratio} | ${r.oneByOne === null ? '-' : fmt(r.oneByOne)} | ${Number.isNaN(r.statements) ? '-' : r.statements.toFixed(2)} | ${cpuOf(r.raw)} | ${cpuOf(r.batched)} |`);
      } finally {
        await db.close();
        await scratch?.drop();
      }
    }
  } finally {
    await smtp.close();
  }
  console.log(`load after: ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

if (values['serve-smtp']) serveSmtp();
else if (values.sender) await runSender();
else await main();
