// `npm run bench:templates [-- --emails 1000 --targets pglite,postgres]`
// renderEmail per second (template cached: data queries, Liquid, tracked links, text part)
// beside the Liquid render alone on preloaded data (the baseline of the same run), and the
// one-off MJML compile of a template version.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { cliActor } from '../src/features/audit/index.ts';
import { listContacts } from '../src/features/contacts/index.ts';
import { demoEventBatches } from '../src/features/demo/index.ts';
import { acceptEvents, processInbox } from '../src/features/ingest/index.ts';
import { applyTemplates, loadRenderableTemplate, loadTemplateData, renderEmail, renderParts } from '../src/features/templates/index.ts';
import { createWorkspace } from '../src/features/workspaces/index.ts';
import { openDatabase, type Db } from '../src/platform/db/connection.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createScratchDatabase } from '../src/platform/db/scratch-database.ts';

// A nurture email like the demo's: MJML, five merge fields with defaults, two links, an image.
const TEMPLATE = {
  kind: 'template',
  key: 'nurture-engaged',
  name: 'Nurture',
  subject: '{{ contact.first_name | default: "Hi" }}, a plan for {{ account.name | default: "your team" }}',
  preheader: 'What {{ account.employees | default: "large" }}-person companies automate first',
  body: `<mjml><mj-body><mj-section><mj-column>
  <mj-text>Ready, {{ contact.first_name | default: "friend" }}? Stage {{ stage.engagement | default: "new" }}, {{ contact.title | default: "a leader" }} at {{ account.name | default: "your company" }}.</mj-text>
  <mj-button href="https://northwind.example/demo">Book a demo</mj-button>
  <mj-image src="https://northwind.example/img/d.png" alt="Dashboard" />
  <mj-text><a href="https://northwind.example/blog?utm_campaign=blog">Blog</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`,
};

const { values } = parseArgs({
  options: {
    emails: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '8' },
    targets: { type: 'string', default: 'pglite,postgres' },
    'postgres-url': { type: 'string', default: process.env.KEEL_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});

async function measure(db: Db) {
  await migrateToLatest(db);
  const ws = await createWorkspace(db.kysely, 'templates bench');
  for (const batch of demoEventBatches({ seed: 7, maxEvents: 5_000, batchSize: 500 })) await acceptEvents(db.kysely, ws.id, { events: batch, receivedAt: new Date() });
  await processInbox(db.kysely);
  let started = performance.now();
  await applyTemplates(db.kysely, ws.id, TEMPLATE, cliActor());
  const compileMs = performance.now() - started;
  const contacts = (await listContacts(db.kysely, ws.id, { limit: 10_000 })).filter((c) => c.email);
  const n = Number(values.emails);
  const pick = (i: number) => contacts[i % contacts.length]!.id;
  await renderEmail(db.kysely, { workspaceId: ws.id, contactId: pick(0), templateKey: 'nurture-engaged', messageId: randomUUID(), publicUrl: 'https://keel.example' });
  const render = (i: number) => renderEmail(db.kysely, { workspaceId: ws.id, contactId: pick(i), templateKey: 'nurture-engaged', messageId: randomUUID(), publicUrl: 'https://keel.example' });
  started = performance.now();
  for (let i = 0; i < n; i += 1) await render(i);
  const renderS = (performance.now() - started) / 1000;
  // Several renders in flight, as several journey workers would have (PGlite: one connection).
  const lanes = Number(values.concurrency);
  started = performance.now();
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    for (let i = lane; i < n; i += lanes) await render(i);
  }));
  const concurrentS = (performance.now() - started) / 1000;
  const { compiled } = await loadRenderableTemplate(db.kysely, ws.id, 'nurture-engaged');
  const data = await Promise.all(contacts.slice(0, Math.min(200, contacts.length)).map((c) => loadTemplateData(db.kysely, ws.id, c.id)));
  started = performance.now();
  for (let i = 0; i < n; i += 1) renderParts(compiled, data[i % data.length]!);
  const liquidS = (performance.now() - started) / 1000;
  return { contacts: contacts.length, compileMs: Math.round(compileMs), renderPerS: Math.round(n / renderS), [`renderPerS_${lanes}InFlight`]: Math.round(n / concurrentS), liquidOnlyPerS: Math.round(n / liquidS) };
}

for (const target of values.targets.split(',')) {
  const scratch = target === 'postgres' ? await createScratchDatabase(values['postgres-url'], 'keel_bench') : undefined;
  const db = scratch ? await openDatabase({ kind: 'postgres', url: scratch.url }) : await openDatabase({ kind: 'pglite', dataDir: undefined });
  try {
    console.log(target, await measure(db));
  } finally {
    await db.close();
    await scratch?.drop();
  }
}
