// `npm run bench:gate [-- --contacts 2000 --events 20000 --targets pglite,postgres]`
// The send gate: messages per second through every check into the outbox, against the
// gate's decision alone (check(): same checks, no write) as the baseline of the same run;
// and one erasure in a workspace holding `events` events.
import { parseArgs } from 'node:util';
import { cliActor } from '../src/features/audit/index.ts';
import { createTopic, recordConsent, updatePolicies } from '../src/features/consent/index.ts';
import { listContacts } from '../src/features/contacts/index.ts';
import { demoEventBatches } from '../src/features/demo/index.ts';
import { acceptEvents, processInbox } from '../src/features/ingest/index.ts';
import { createMailer } from '../src/features/messaging/index.ts';
import { requestErasure } from '../src/features/privacy/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

const { values } = parseArgs({
  options: {
    contacts: { type: 'string', default: '2000' },
    events: { type: 'string', default: '20000' },
    targets: { type: 'string', default: 'pglite,postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const actor = cliActor();

async function measure(db: Db) {
  await migrateToLatest(db);
  const ws = await createWorkspace(db.kysely, 'gate bench');
  for (const batch of demoEventBatches({ seed: 7, maxEvents: Number(values.events), batchSize: 500 })) await acceptEvents(db.kysely, ws.id, { events: batch, receivedAt: new Date() });
  await processInbox(db.kysely);
  await createTopic(db.kysely, ws.id, { key: 'news', name: 'News', regime: 'opt_in' }, actor);
  await updatePolicies(db.kysely, ws.id, { senderEmail: 'news@bench.example', postalAddress: '1 Bench St' }, actor);
  const contacts = (await listContacts(db.kysely, ws.id, { limit: 10_000 })).filter((c) => c.email).slice(0, Number(values.contacts));
  await recordConsent(db.kysely, ws.id, contacts.map((c) => ({ contactId: c.id, topicKey: 'news', status: 'opted_in' as const, source: 'import' as const })), actor);
  const mailer = createMailer({ publicUrl: 'https://keel.example' });
  const request = (contactId: string) => ({ workspaceId: ws.id, contactId, topicKey: 'news', kind: 'marketing' as const, content: { subject: 'Bench', text: 'Hello' } });
  let started = performance.now();
  for (const c of contacts) await mailer.check(db.kysely, request(c.id));
  const checkPerSec = contacts.length / ((performance.now() - started) / 1000);
  started = performance.now();
  let sent = 0;
  for (const c of contacts) if ((await mailer.send(db.kysely, request(c.id))).status === 'sent') sent += 1;
  const sendPerSec = sent / ((performance.now() - started) / 1000);
  await mailer.close();
  started = performance.now();
  const erased = await requestErasure(db.kysely, ws.id, contacts[0]!.email!, actor);
  return { contacts: contacts.length, sent, checkPerSec, sendPerSec, eraseMs: performance.now() - started, erasedEvents: Number((erased.summary as { events?: number }).events ?? 0) };
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');
console.log(`| target | contacts | gate decision only (checks/s, baseline) | gate + outbox write (sends/s) | ratio | one erasure among ${n(Number(values.events))} events (ms) |`);
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const target of values.targets.split(',').map((t) => t.trim())) {
  if (target !== 'pglite' && target !== 'postgres') throw new Error(`unknown target "${target}": use pglite and/or postgres`);
  const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench') : undefined;
  const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
  try {
    const r = await measure(db);
    console.log(`| ${target}${target === 'pglite' ? ' (in memory)' : ''} | ${n(r.sent)} | ${n(r.checkPerSec)} | ${n(r.sendPerSec)} | ${(r.sendPerSec / r.checkPerSec).toFixed(2)} | ${n(r.eraseMs)} (${r.erasedEvents} events erased) |`);
  } finally {
    await db.close();
    await scratch?.drop();
  }
}
