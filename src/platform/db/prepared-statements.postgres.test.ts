import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from './connection.ts';
import { prepared } from './prepared-statements.ts';
import { openTestDatabase, testDatabaseLabel } from './test-database.ts';

let db: Db;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db.close());

// Named statements exist on a server only (PGlite runs a marked statement as it is): this
// file runs in the PostgreSQL suite (vitest.config.ts includes *.postgres.test.ts then).
describe(`prepared statements (${testDatabaseLabel})`, () => {
  it('sends a marked statement as a named prepared statement, once per text, and leaves others unnamed', async () => {
    await db.kysely.connection().execute(async (conn) => {
      const named = async () => (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(conn)).rows.map((r) => r.statement);
      const before = await named();
      for (const n of [1, 2, 3]) {
        const row = await prepared(sql<{ n: number }>`select ${n}::int + 1 as n, 'probe-a' as tag`).execute(conn);
        expect(row.rows[0]!.n).toBe(n + 1);
      }
      await sql`select 'probe-b' as tag`.execute(conn);
      const added = (await named()).filter((s) => !before.includes(s));
      expect(added).toHaveLength(1);
      expect(added[0]).toContain('probe-a');
    });
  });

  it('does not remember a statement the server refused: a second call is refused for its own reason again', async () => {
    await db.kysely.connection().execute(async (conn) => {
      const bad = () => prepared(sql`select no_such_column from workspaces where id = ${'00000000-0000-0000-0000-000000000000'}::uuid`).execute(conn);
      await expect(bad()).rejects.toThrow(/no_such_column/);
      await expect(bad()).rejects.toThrow(/no_such_column/);
      const row = await prepared(sql<{ ok: boolean }>`select ${true}::boolean as ok`).execute(conn);
      expect(row.rows[0]!.ok).toBe(true);
    });
  });

  it('passes every other call through whole: pool queries with a callback answer, marked or not', async () => {
    // pool.query() (executeSql, pg-boss) hands node-postgres a callback as the last argument.
    expect((await db.executeSql('select $1::int + 1 as n', [41])).rows).toEqual([{ n: 42 }]);
    expect((await db.executeSql('/* keel:prepared */ select $1::int * 2 as n', [21])).rows).toEqual([{ n: 42 }]);
    expect((await db.executeSql('select 7 as n')).rows).toEqual([{ n: 7 }]);
  });
});
