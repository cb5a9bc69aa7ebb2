import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/connection.ts';
import { deriveQueuedAudiences, enqueueAudienceWork, eventChange } from '../src/features/audiences/index.ts';
const db = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/keel_bench_audiences' });
const ws = (await sql<{ id: string }>`select id from workspaces where name like 'audiences bench%'`.execute(db.kysely)).rows[0]!.id;
const n = Number(process.argv[2] ?? 5000);
const contacts = Array.from({ length: n }, () => `c${1 + Math.floor(Math.random() * 1_000_000)}`);
const now = new Date('2026-06-01T00:10:00Z');
await db.kysely.transaction().execute(async (trx) => {
  const r = await sql<{ contact_id: string }>`insert into events (workspace_id, message_id, type, name, contact_id, properties, "timestamp", received_at)
    select ${ws}::uuid, 'probe-' || gen_random_uuid(), 'track', 'Webinar Attended', md5(c)::uuid, '{"duration_minutes": 45}'::jsonb, ${now.toISOString()}::timestamptz, now()
    from unnest(${contacts}::text[]) as t(c) returning contact_id`.execute(trx);
  await enqueueAudienceWork(trx, ws, { contactChanges: new Map(r.rows.map((x) => [x.contact_id, [eventChange('Webinar Attended'), 'field:first_seen_at', 'field:last_seen_at']])) });
});
const o = await deriveQueuedAudiences(db.kysely, ws, { limit: 10000, now });
console.log(o?.contacts, o?.timings);
await db.close();
