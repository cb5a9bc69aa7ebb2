import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db/connection.ts';
import { deriveQueuedAudiences, enqueueAudienceWork, eventChange } from '../src/features/audiences/index.ts';
const db = await openDatabase({ kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/keel_bench_audiences' });
const ws = (await sql<{ id: string }>`select id from workspaces where name like 'audiences bench%'`.execute(db.kysely)).rows[0]!.id;
const now = new Date('2026-06-01T00:20:00Z');
const t: number[] = [];
for (let i = 0; i < 400; i++) {
  const c = `c${1 + Math.floor(Math.random() * 1_000_000)}`;
  await db.kysely.transaction().execute(async (trx) => {
    const r = await sql<{ contact_id: string }>`insert into events (workspace_id, message_id, type, name, contact_id, properties, "timestamp", received_at)
      values (${ws}::uuid, 'idle-' || gen_random_uuid(), 'track', 'Webinar Attended', md5(${c})::uuid, '{"duration_minutes": 45}'::jsonb, ${now.toISOString()}::timestamptz, now()) returning contact_id`.execute(trx);
    await enqueueAudienceWork(trx, ws, { contactChanges: new Map(r.rows.map((x) => [x.contact_id, [eventChange('Webinar Attended'), 'field:first_seen_at', 'field:last_seen_at']])) });
  });
  const s = performance.now();
  await deriveQueuedAudiences(db.kysely, ws, { now });
  t.push(performance.now() - s);
}
t.sort((a, b) => a - b);
console.log('derive only: median', t[200]!.toFixed(2), 'p99', t[396]!.toFixed(2));
await db.close();
