// `npm run bench:email-send [-- --emails 1000 --concurrency 16 --targets postgres,pglite]`
// Personalized email end to end, as a journey's email step sends it: renderEmail (template
// cached: contact data, Liquid, tracked links, text part) then the whole send gate (topic,
// contact, policies, suppressions, consent, caps, the message row) and delivery to a local
// SMTP server (smtp-server, started here) through the pooled transport, several sends in
// flight; beside raw pooled nodemailer sends of a fixed message to the same server (the
// baseline of the same run). Also counts the SQL statements per send (render and gate).
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { KyselyPlugin } from 'kysely';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { sql, type Kysely } from 'kysely';
import { cliActor } from '../src/features/audit/index.ts';
import { createTopic, recordConsent, updatePolicies } from '../src/features/consent/index.ts';
import { createMailer, type Mailer } from '../src/features/messaging/index.ts';
import { applyTemplates, renderEmail } from '../src/features/templates/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import type { Database } from '../src/platform/db/schema.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

const { values } = parseArgs({
  options: {
    emails: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    targets: { type: 'string', default: 'postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const total = Number(values.emails);
const concurrency = Number(values.concurrency);
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

async function smtpServer() {
  let mails = 0;
  const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], onData(stream, _s, cb) { stream.on('end', () => { mails += 1; cb(); }); stream.resume(); } });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  return { port: (smtp.server.address() as { port: number }).port, mails: () => mails, close: () => new Promise<void>((r) => smtp.close(() => r())) };
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
  return { workspaceId: ws.id, ids };
}

async function measure(db: Db, smtp: Awaited<ReturnType<typeof smtpServer>>) {
  const probe = 50;
  const { workspaceId, ids } = await setUp(db, smtp.port, total + probe);
  const raw = createTransport(`smtp://127.0.0.1:${smtp.port}?pool=true`);
  const rawEmail = await rate(total, () => raw.sendMail({ from: 'news@bench.example', to: 'x@bench.example', subject: 'Bench', text: 'Hello' }));
  raw.close();
  const mailer = createMailer({ publicUrl: PUBLIC_URL });
  try {
    // Statements per send, measured one send at a time after a warm-up send.
    const c = counting(db.kysely);
    await sendOne(c.db, mailer, workspaceId, ids[total]!);
    let rendered = 0;
    let gated = 0;
    for (let i = 1; i < probe; i += 1) {
      const before = c.count();
      const messageId = randomUUID();
      const email = await renderEmail(c.db, { workspaceId, contactId: ids[total + i]!, templateKey: 'nurture', messageId, publicUrl: PUBLIC_URL });
      const mid = c.count();
      const o = await mailer.send(c.db, { workspaceId, contactId: ids[total + i]!, messageId, topicKey: 'news', kind: 'marketing', content: { subject: email.subject, text: email.text, html: email.html } });
      if (o.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(o)}`);
      rendered += mid - before;
      gated += c.count() - mid;
    }
    const before = smtp.mails();
    const endToEnd = await rate(total, (i) => sendOne(db.kysely, mailer, workspaceId, ids[i]!));
    if (smtp.mails() - before !== total) throw new Error(`the SMTP server got ${smtp.mails() - before} of ${total} emails`);
    return { rawEmail, endToEnd, renderQueries: rendered / (probe - 1), gateQueries: gated / (probe - 1) };
  } finally {
    await mailer.close();
  }
}

const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
console.log(`${total} personalized emails per measurement, ${concurrency} in flight`);
console.log('| target | raw nodemailer (emails/s, baseline) | renderEmail + gate + SMTP (emails/s) | statements per send (render + gate) |');
console.log('| --- | ---: | ---: | ---: |');
const smtp = await smtpServer();
try {
  for (const target of values.targets.split(',').map((t) => t.trim())) {
    if (target !== 'pglite' && target !== 'postgres') throw new Error(`unknown target "${target}": use pglite and/or postgres`);
    const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench_email_send') : undefined;
    const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
    try {
      const r = await measure(db, smtp);
      console.log(`| ${target} | ${fmt(r.rawEmail)} | ${fmt(r.endToEnd)} | ${r.renderQueries.toFixed(1)} + ${r.gateQueries.toFixed(1)} |`);
    } finally {
      await db.close();
      await scratch?.drop();
    }
  }
} finally {
  await smtp.close();
}
