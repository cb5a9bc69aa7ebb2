// `npm run bench:channels [-- --messages 2000 --concurrency 8 --targets postgres,pglite]`
// Email through the whole gate to a local SMTP server (smtp-server), beside raw pooled
// nodemailer sends of a fixed message to the same server (the baseline of the same run);
// and webhooks through the gate to a local HTTP server, beside raw fetch POSTs.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { cliActor } from '../src/features/audit/index.ts';
import { createTopic, recordConsent, updatePolicies } from '../src/features/consent/index.ts';
import { createMailer, type SendRequest } from '../src/features/messaging/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '8' },
    targets: { type: 'string', default: 'postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const total = Number(values.messages);
const concurrency = Number(values.concurrency);
const actor = cliActor();

/** Runs `task(i)` for i < total with `concurrency` loops; returns operations per second. */
async function rate(task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await task(next++);
  }));
  return total / ((performance.now() - started) / 1000);
}

async function servers() {
  let mails = 0;
  const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], onData(stream, _s, cb) { stream.on('end', () => { mails += 1; cb(); }); stream.resume(); } });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const http = createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200).end('{}')); });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return {
    smtpPort: (smtp.server.address() as { port: number }).port,
    httpPort: (http.address() as { port: number }).port,
    mails: () => mails,
    close: async () => { await new Promise<void>((r) => smtp.close(() => r())); await new Promise<void>((r) => http.close(() => r())); },
  };
}

async function measure(db: Db, s: Awaited<ReturnType<typeof servers>>) {
  await migrateToLatest(db);
  const ws = await createWorkspace(db.kysely, 'channels bench');
  await createTopic(db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_in' }, actor);
  await createTopic(db.kysely, ws.id, { key: 'alerts', name: 'Alerts', regime: 'opt_out', channels: ['webhook'] }, actor);
  await updatePolicies(db.kysely, ws.id, { senderEmail: 'news@bench.example', postalAddress: '1 Bench St', smtpUrl: `smtp://127.0.0.1:${s.smtpPort}`, webhookAllowedHosts: ['127.0.0.1'], webhookSecret: 'bench-secret-0123456789abcdef' }, actor);
  const ids = (await sql<{ id: string }>`insert into contacts (workspace_id, email) select ${ws.id}::uuid, 'c' || g || '@bench.example' from generate_series(1, ${total}) g returning id`.execute(db.kysely)).rows.map((r) => r.id);
  await recordConsent(db.kysely, ws.id, ids.map((contactId) => ({ contactId, topicKey: 'news', status: 'opted_in' as const, source: 'import' as const })), actor);
  const raw = createTransport(`smtp://127.0.0.1:${s.smtpPort}?pool=true`);
  const rawEmail = await rate(() => raw.sendMail({ from: 'news@bench.example', to: 'x@bench.example', subject: 'Bench', text: 'Hello' }));
  raw.close();
  const mailer = createMailer({ publicUrl: 'https://keel.example' });
  const email = (i: number): SendRequest => ({ workspaceId: ws.id, contactId: ids[i]!, topicKey: 'news', kind: 'marketing', content: { subject: 'Bench', text: 'Hello' } });
  const before = s.mails();
  const gateEmail = await rate(async (i) => { const o = await mailer.send(db.kysely, email(i)); if (o.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(o)}`); });
  if (s.mails() - before !== total) throw new Error(`the SMTP server got ${s.mails() - before} of ${total} emails`);
  const url = `http://127.0.0.1:${s.httpPort}/hook`;
  const rawHook = await rate(() => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":1}' }).then((r) => r.text()));
  const hook = (i: number): SendRequest => ({ workspaceId: ws.id, contactId: ids[i]!, topicKey: 'alerts', kind: 'transactional', channel: 'webhook', content: { url, payload: { n: i } } });
  const gateHook = await rate(async (i) => { const o = await mailer.send(db.kysely, hook(i)); if (o.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(o)}`); });
  await mailer.close();
  return { rawEmail, gateEmail, rawHook, gateHook };
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');
console.log(`${total} messages per measurement, ${concurrency} concurrent senders`);
console.log('| target | raw nodemailer (emails/s, baseline) | gate + SMTP (emails/s) | raw fetch (posts/s, baseline) | gate + webhook (posts/s) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
const s = await servers();
try {
  for (const target of values.targets.split(',').map((t) => t.trim())) {
    if (target !== 'pglite' && target !== 'postgres') throw new Error(`unknown target "${target}": use pglite and/or postgres`);
    const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench_channels') : undefined;
    const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
    try {
      const r = await measure(db, s);
      console.log(`| ${target} | ${n(r.rawEmail)} | ${n(r.gateEmail)} | ${n(r.rawHook)} | ${n(r.gateHook)} |`);
    } finally {
      await db.close();
      await scratch?.drop();
    }
  }
} finally {
  await s.close();
}
