import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { listReviewQueue } from '../dedupe/index.ts';
import { seedDemoDuplicates } from './demo-duplicates.ts';
import { seedDemoWorkspace } from './demo.service.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

describe(`demo duplicates (${testDatabaseLabel})`, () => {
  it('adds near-duplicates after the seed, merges duplicate accounts, and never merges contacts with different userIds', async () => {
    const seeded = await seedDemoWorkspace(db.kysely, { scale: 0.01, seed: 4, anchor: new Date('2025-06-01T12:00:00Z') });
    const result = await seedDemoDuplicates(db.kysely, seeded.workspaceId);
    // Namesakes at one company scored as duplicates before the userId guard (thousands of
    // wrong merges at full scale): no dedupe merge may join two contacts with userIds.
    const wrong = await sql<{ n: number }>`select count(*)::int as n from contact_merges m
      where m.workspace_id = ${seeded.workspaceId}::uuid and m.reason like 'dedupe%'
        and exists (select 1 from jsonb_array_elements(m.loser_snapshot->'identities') i where i->>'kind' = 'user_id')
        and exists (select 1 from identities w where w.workspace_id = m.workspace_id and w.contact_id = m.winner_id and w.kind = 'user_id'
          and w.value not in (select i->>'value' from jsonb_array_elements(m.loser_snapshot->'identities') i))`.execute(db.kysely);
    expect(wrong.rows[0]!.n).toBe(0);
    // Nor is such a pair queued for review.
    const queuedNamesakes = await sql<{ n: number }>`select count(*)::int as n from dedupe_pairs p
      where p.workspace_id = ${seeded.workspaceId}::uuid and p.entity = 'contact'
        and exists (select 1 from identities a where a.workspace_id = p.workspace_id and a.contact_id = p.record_a and a.kind = 'user_id')
        and exists (select 1 from identities b where b.workspace_id = p.workspace_id and b.contact_id = p.record_b and b.kind = 'user_id')`.execute(db.kysely);
    expect(queuedNamesakes.rows[0]!.n).toBe(0);
    expect(result.accounts.merged + result.accounts.queued).toBeGreaterThanOrEqual(1);
    // Recall: each seeded near-duplicate (an anonymous identify) was merged into or queued
    // with the contact it was made from. Before, the demo's free-mail domains (*.example)
    // read as employers (a "different employers" veto) and abbreviated or misspelt names
    // shared no blocking key, so none of them was found.
    const made = await sql<{ contact_id: string; value: string }>`select contact_id, value from identities
      where workspace_id = ${seeded.workspaceId}::uuid and kind = 'anonymous_id' and value ~ '^demo-duplicate-[0-9]+$'`.execute(db.kysely);
    const pairs = await sql<{ record_a: string; record_b: string }>`select record_a, record_b from dedupe_pairs
      where workspace_id = ${seeded.workspaceId}::uuid and entity = 'contact'`.execute(db.kysely);
    const found = new Set(pairs.rows.flatMap((p) => [`${p.record_a}|${p.record_b}`, `${p.record_b}|${p.record_a}`]));
    const rows = made.rows.map((r) => ({ duplicate: r.contact_id, original: result.seededFrom[Number(r.value.slice('demo-duplicate-'.length))]! }));
    const distinct = rows.filter((r) => r.duplicate !== r.original).map((r) => ({ ...r, found: found.has(`${r.duplicate}|${r.original}`) }));
    expect(distinct.length).toBeGreaterThanOrEqual(8);
    expect(distinct.filter((r) => !r.found)).toEqual([]);
    // Precision: no merge joined two contacts that each have a userId (namesakes at one company).
    expect(result.contacts.merged).toBeLessThanOrEqual(distinct.length);
    const queue = await listReviewQueue(db.kysely, seeded.workspaceId, undefined, 100);
    expect(queue.items.length).toBe(result.contacts.queued + result.accounts.queued);
  });
});
