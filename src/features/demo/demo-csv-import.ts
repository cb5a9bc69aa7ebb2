import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { DbKind } from '../../platform/db/connection.ts';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { importCsv, type ImportSummary } from '../imports/index.ts';

/** The sample CSV shipped in the repo: messy real-world columns, one refused row. */
export const DEMO_CONTACTS_CSV = join(import.meta.dirname, '..', '..', '..', 'examples', 'contacts.csv');

/**
 * Imports examples/contacts.csv into the demo workspace through the CSV importer, as a
 * user would with `keel import contacts examples/contacts.csv`. Re-running it changes
 * nothing (contacts are matched by email).
 */
export async function importDemoContactsCsv(db: Kysely<Database>, workspaceId: string, dbKind?: DbKind): Promise<ImportSummary> {
  return importCsv(db, {
    workspaceId,
    kind: 'contacts',
    source: createReadStream(DEMO_CONTACTS_CSV),
    fileName: 'examples/contacts.csv',
    actor: systemActor('demo'),
    dbKind,
  });
}
