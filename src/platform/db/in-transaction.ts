import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Runs `work` in the caller's transaction when `db` is one, else in a new transaction, so
 * that a change and its audit record commit together either way.
 */
export function inTransaction<T>(db: Kysely<Database>, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
