import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type pg from 'pg';

/**
 * Statements a hot path runs again and again with new values (a derivation pass per
 * event) can be sent as named prepared statements: PostgreSQL parses and plans each one
 * once per connection instead of on every call. A statement opts in by starting with this
 * comment; PGlite, which has no named statements over its API, runs it as it is.
 */
const MARK = '/* keel:prepared */';

/** The statement, sent as a named prepared statement on PostgreSQL. */
export function prepared<T>(query: RawBuilder<T>): RawBuilder<T> {
  return sql<T>`${sql.raw(MARK)} ${query}`;
}

/** `prepared(query)` when `when` holds (a scoped, hot call of a statement that also runs in bulk). */
export function maybePrepared<T>(when: boolean, query: RawBuilder<T>): RawBuilder<T> {
  return when ? prepared(query) : query;
}

/** Named statements a connection keeps at most; past that a statement runs unnamed (server memory). */
const MAX_PER_CONNECTION = 500;

/**
 * Makes marked statements go out as named prepared statements on every connection of the
 * pool. The name is a digest of the text, so the same text always maps to the same
 * statement; a statement that fails to parse is not remembered (node-postgres notes a
 * name only once the server parsed it).
 */
export function usePreparedStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const names = new Set<string>();
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    // Every other call passes through with all its arguments: pool.query() and pg-boss
    // hand a callback as the last one.
    client.query = ((text: unknown, ...rest: unknown[]) => {
      if (typeof text === 'string' && text.startsWith(MARK)) {
        const name = `keel_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
        if (names.has(name) || names.size < MAX_PER_CONNECTION) {
          names.add(name);
          const callback = rest.find((r) => typeof r === 'function');
          const values = typeof rest[0] === 'function' ? undefined : rest[0];
          return callback ? query({ name, text, values }, callback) : query({ name, text, values });
        }
      }
      return query(text, ...rest);
    }) as typeof client.query;
  });
}
