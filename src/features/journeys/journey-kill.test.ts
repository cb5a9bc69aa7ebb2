import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { openDatabase } from '../../platform/db/connection.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { createChildDatabaseEnv, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { silentLogger } from '../../platform/logger.ts';
import { startKeel, type KeelProcess } from '../../testing/keel-process.ts';
import { basicAuth, postIngest } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import { createTopic, updatePolicies } from '../consent/index.ts';
import { processInbox } from '../ingest/index.ts';
import { applyTemplates } from '../templates/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { applyJourney, enrollInJourney, launchJourney } from './index.ts';

const CONTACTS = 24;
const JOURNEY = `
key: kill
name: Kill test
topic: news
trigger: { manual: true }
steps:
  - id: first
    email: { template: first }
  - id: pause
    wait: { seconds: 1 }
  - id: second
    email: { template: second }
  - id: mark
    update: { trait: { name: kill_test, value: done } }
`;

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;
let smtp: SMTPServer;
const arrived: Array<{ to: string; subject: string }> = [];
let adminKey = '';

const openSame = () => (database.env.KEEL_DATABASE_URL ? openDatabase({ kind: 'postgres', url: database.env.KEEL_DATABASE_URL }) : openDatabase({ kind: 'pglite', dataDir: database.env.KEEL_DATA_DIR! }));

/** Workspace, contacts and 30 enrollments written by this process; the child processes run the steps. */
async function seed(): Promise<void> {
  const db = await openSame();
  await migrateToLatest(db);
  const keel = createApp({ db, logger: silentLogger() });
  try {
    const ws = await createWorkspace(db.kysely, 'kill');
    adminKey = ws.adminKey.key;
    await createTopic(db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_out' }, cliActor());
    await updatePolicies(db.kysely, ws.id, { senderEmail: 'news@acme.example', postalAddress: '1 Main St' }, cliActor());
    const batch = Array.from({ length: CONTACTS }, (_, i) => ({ type: 'identify', userId: `k${i}`, traits: { email: `k${i}@example.com` } }));
    await postIngest(keel.app, '/v1/batch', { batch }, { authorization: basicAuth(ws.writeKey.key) });
    await processInbox(db.kysely);
    // Subjects "[first]" and "[second]": what arrived at the relay is matched to its step.
    for (const key of ['first', 'second']) await applyTemplates(db.kysely, ws.id, `kind: template\nkey: ${key}\nname: ${key}\nsubject: "[${key}]"\nbody: "<p>Step ${key}</p>"\n`, cliActor());
    await applyJourney(db.kysely, ws.id, JOURNEY, cliActor());
    await launchJourney(keel.journeys.engine, ws.id, 'kill', cliActor());
    for (let i = 0; i < CONTACTS; i += 1) await enrollInJourney(keel.journeys.engine, ws.id, 'kill', { email: `k${i}@example.com` });
  } finally {
    await keel.journeys.stop();
    await db.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-journey-kill-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => arrived.push({ to: (Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text ?? '', subject: mail.subject ?? '' }))
        .then(() => callback(), callback);
    },
  });
  // A killed worker drops its SMTP connection mid-session: that is the point, not an error.
  smtp.on('error', () => undefined);
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  await seed();
}, 60_000);
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe(`journey workers killed with SIGKILL mid-run (${testDatabaseLabel})`, () => {
  it('delivers each step of each contact exactly once across repeated kills and restarts', async () => {
    const env = {
      ...database.env,
      KEEL_SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      KEEL_JOURNEY_LEASE_SECONDS: '2',
      // A worker killed between writing the message row and the relay's answer leaves the row
      // "retrying": the retry worker (every 5 s) sends it after this lease.
      KEEL_MESSAGE_LEASE_SECONDS: '5',
      KEEL_JOBS_POLL_SECONDS: '0.5',
      KEEL_JOURNEY_SCAN_MS: '200',
    };
    // On PostgreSQL two worker processes share the queue and are killed in turn; PGlite is one process.
    const args = database.env.KEEL_DATABASE_URL ? ['start', '--role', 'worker', '--no-demo'] : ['start', '--no-demo'];
    const kills: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const workers: KeelProcess[] = [await startKeel(env, args)];
      if (database.env.KEEL_DATABASE_URL) workers.push(await startKeel(env, args));
      const before = arrived.length;
      // Kill once a few more messages arrived (or after 6 s): mid-run, between and inside steps.
      const until = Date.now() + 6000;
      while (arrived.length < Math.min(before + 4 + round * 3, CONTACTS * 2 - 5) && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      for (const w of workers) await w.stop('SIGKILL');
      kills.push(arrived.length);
    }
    const final = await startKeel(env, ['start', '--no-demo']);
    let counts: { runs: { completed: number } } = { runs: { completed: 0 } };
    let retrying = 1;
    try {
      const deadline = Date.now() + 45_000;
      const get = async (path: string) => (await fetch(`${final.base}${path}`, { headers: { authorization: `Bearer ${adminKey}` } })).json();
      // Done when every run completed and no message row is left "retrying" by a killed worker
      // (written, relay not yet answered: the retry worker sends it after KEEL_MESSAGE_LEASE_SECONDS).
      while (Date.now() < deadline && (counts.runs.completed < CONTACTS || retrying > 0)) {
        await new Promise((r) => setTimeout(r, 300));
        counts = (await get('/api/v1/journeys/kill/counts')) as typeof counts;
        retrying = ((await get('/api/v1/messages?status=retrying')) as { data: unknown[] }).data.length;
      }
    } finally {
      await final.stop();
    }
    const db = await openSame();
    try {
      if (counts.runs.completed < CONTACTS) {
        const open = await sql`select r.id, r.status, r.current_step, r.token, r.wake_at, s.status as step_status, s.attempts, s.lease_until from journey_runs r
          left join journey_step_runs s on s.run_id = r.id and s.seq = r.visits where r.status <> 'completed'`.execute(db.kysely);
        const jobs = await sql`select state, retry_count, data from pgboss.job where name = 'journey-steps' and state <> 'completed'`.execute(db.kysely);
        console.error('unfinished runs', JSON.stringify(open.rows), 'jobs', JSON.stringify(jobs.rows));
      }
      expect(counts.runs.completed).toBe(CONTACTS);
      const rows = await sql<{ contact_id: string; subject: string; n: number }>`select contact_id, subject, count(*)::int as n from messages group by contact_id, subject`.execute(db.kysely);
      // The log: one message per (contact, step), 2 per contact.
      expect(rows.rows).toHaveLength(CONTACTS * 2);
      expect(rows.rows.every((r) => r.n === 1)).toBe(true);
      const attempts = await sql<{ step_id: string; email: string; attempts: number }>`
        select s.step_id, c.email, s.attempts from journey_step_runs s join journey_runs r on r.id = s.run_id join contacts c on c.id = r.contact_id where s.kind = 'email'`.execute(db.kysely);
      // What arrived at the SMTP server: every (contact, step) at least once ...
      const byKey = new Map<string, number>();
      for (const m of arrived) byKey.set(`${m.to}|${m.subject}`, (byKey.get(`${m.to}|${m.subject}`) ?? 0) + 1);
      expect(byKey.size).toBe(CONTACTS * 2);
      // ... and a second copy only where a worker died after the relay accepted the message and
      // before the log row was written (the SMTP window): that step was attempted again.
      const duplicates = [...byKey].filter(([, n]) => n > 1).map(([k]) => k);
      const retried = new Set(attempts.rows.filter((a) => a.attempts > 1).map((a) => `${a.email}|[${a.step_id}]`));
      expect(duplicates.filter((d) => !retried.has(d))).toEqual([]);
      console.info(`kill test (${testDatabaseLabel}): ${kills.length} kill rounds at ${kills.join(', ')} arrivals; ${arrived.length} arrived for ${CONTACTS * 2} steps; SMTP-window duplicates: ${duplicates.length}; step attempts > 1: ${retried.size}`);
    } finally {
      await db.close();
    }
  }, 150_000);
});
