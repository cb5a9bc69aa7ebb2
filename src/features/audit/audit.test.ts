import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { cliActor, listAuditEntries, recordAudit, systemActor } from './index.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe(`audit log (${testDatabaseLabel})`, () => {
  it('records entries and lists them newest first with filters', async () => {
    const ws = (await createWorkspace(db.kysely, 'audit')).id;
    await recordAudit(
      db.kysely,
      { workspaceId: ws, actor: cliActor(), action: 'segment.created', objectType: 'segment', objectId: 's1', details: { name: 'Enterprise' } },
      { workspaceId: ws, actor: systemActor('ingest'), action: 'contact.merged', objectType: 'contact', objectId: 'c1' },
    );
    const all = await listAuditEntries(db.kysely, ws, { limit: 10 });
    // Newest first; the workspace's own creation (and its two keys) came before.
    expect(all.map((e) => e.action)).toEqual(['contact.merged', 'segment.created', 'api_key.created', 'api_key.created', 'workspace.created']);
    expect(all[1]).toMatchObject({ actor_kind: 'cli', object_id: 's1', details: { name: 'Enterprise' } });
    const merged = await listAuditEntries(db.kysely, ws, { limit: 10, objectType: 'contact' });
    expect(merged.map((e) => e.object_id)).toEqual(['c1']);
  });

  it('refuses to update or delete an entry, even by direct SQL', async () => {
    const ws = (await createWorkspace(db.kysely, 'append-only')).id;
    await recordAudit(db.kysely, { workspaceId: ws, actor: cliActor(), action: 'key.revoked', objectType: 'api_key', objectId: 'k1' });
    await expect(sql`update audit_log set action = 'x' where workspace_id = ${ws}::uuid`.execute(db.kysely)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where workspace_id = ${ws}::uuid`.execute(db.kysely)).rejects.toThrow(/append-only/);
    expect(await listAuditEntries(db.kysely, ws, { limit: 10, objectId: 'k1' })).toHaveLength(1);
  });

  it('goes with its workspace when the workspace is deleted', async () => {
    const ws = (await createWorkspace(db.kysely, 'deleted')).id;
    await recordAudit(db.kysely, { workspaceId: ws, actor: cliActor(), action: 'key.created', objectType: 'api_key' });
    await sql`delete from workspaces where id = ${ws}::uuid`.execute(db.kysely);
    const left = await sql<{ n: number }>`select count(*)::int as n from audit_log where workspace_id = ${ws}::uuid`.execute(db.kysely);
    expect(left.rows[0]!.n).toBe(0);
  });
});
