import type { Kysely } from 'kysely';
import type { Database, ImportKind } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { HeaderMapping } from './header-mapping.ts';
import { convertAccountRow, convertContactRow, convertEventRow, convertOpportunityRow, type Converted, type MappedRow } from './import-rows.ts';
import { writeAccountBatch, writeContactBatch, writeEventBatch, writeOpportunityBatch, type BatchOutcome } from './import-writers.ts';

/** How one kind of import turns rows into values and writes a batch of them. */
export interface ImportKindHandler {
  convert(row: MappedRow, receivedAt: string): Converted<unknown>;
  write(trx: Kysely<Database>, workspaceId: string, rows: unknown[], at: Date): Promise<BatchOutcome>;
  /** Sets of targets of which at least one must be mapped, checked before anything is read. */
  required: string[][];
}

export const IMPORT_HANDLERS: Record<ImportKind, ImportKindHandler> = {
  contacts: {
    convert: convertContactRow,
    write: (trx, ws, rows, at) => writeContactBatch(trx, ws, rows as Parameters<typeof writeContactBatch>[2], at),
    required: [['email', 'user_id']],
  },
  accounts: {
    convert: convertAccountRow,
    write: (trx, ws, rows, at) => writeAccountBatch(trx, ws, rows as Parameters<typeof writeAccountBatch>[2], at),
    required: [['external_id', 'domain']],
  },
  opportunities: {
    convert: convertOpportunityRow,
    write: (trx, ws, rows) => writeOpportunityBatch(trx, ws, rows as Parameters<typeof writeOpportunityBatch>[2]),
    required: [['external_id'], ['account_external_id', 'account_domain'], ['name'], ['amount'], ['stage'], ['created_date']],
  },
  events: {
    convert: convertEventRow,
    write: (trx, ws, rows) => writeEventBatch(trx, ws, rows as Parameters<typeof writeEventBatch>[2]),
    required: [['event'], ['timestamp'], ['email', 'user_id', 'anonymous_id']],
  },
};

/** Refuses a mapping that leaves out what every row needs, before any row is read. */
export function checkRequiredTargets(kind: ImportKind, mapping: HeaderMapping): void {
  const targets = new Set(Object.values(mapping));
  for (const anyOf of IMPORT_HANDLERS[kind].required) {
    if (anyOf.some((t) => targets.has(t))) continue;
    const columns = Object.keys(mapping).map((c) => JSON.stringify(c)).join(', ');
    throw new AppError('invalid', `A ${kind} import needs a column mapped to ${anyOf.join(' or ')}; the columns are ${columns} (use --map "Column=${anyOf[0]}")`, {
      field: 'mapping',
      value: anyOf.join('|'),
    });
  }
}
