import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './accounts.queries.ts';

export type { AccountUpsert } from './accounts.queries.ts';

export const upsertAccountsFromGroups = (db: Kysely<Database>, workspaceId: string, rows: q.AccountUpsert[], at: Date) =>
  q.upsertAccountsByExternalId(db, workspaceId, rows, at);
