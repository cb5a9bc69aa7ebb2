import type { Kysely } from 'kysely';
import { stringify } from 'csv-stringify/sync';
import type { Database } from '../../platform/db/schema.ts';
import { listAccounts } from '../accounts/index.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { getContactsByIds, listContacts } from '../contacts/index.ts';
import type { Refusal } from './import-rows.ts';
import { listImportRefusals } from './import.service.ts';

export type ExportKind = 'contacts' | 'accounts';
const PAGE = 1000;

// Traits go in one `traits` column as JSON: the set of trait keys is only known after
// reading every row, and a streamed export writes its header before the first row.
const CONTACT_COLUMNS = ['id', 'email', 'phone', 'first_name', 'last_name', 'title', 'company', 'country', 'timezone', 'created_at', 'updated_at', 'first_seen_at', 'last_seen_at', 'traits'] as const;
const ACCOUNT_COLUMNS = ['id', 'external_id', 'name', 'domain', 'industry', 'employees', 'annual_revenue', 'country', 'created_at', 'updated_at', 'traits'] as const;

type Row = Record<string, unknown>;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** RFC 4180: CRLF line ends, fields quoted when they hold a delimiter, quote or newline. */
function toCsv(rows: unknown[][]): string {
  return stringify(rows, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ });
}

function csvLines(columns: readonly string[], rows: Row[]): string {
  return toCsv(rows.map((r) => columns.map((c) => cell(r[c]))));
}

/**
 * Streams a workspace's contacts or accounts as CSV chunks (header first), reading keyset
 * pages of 1,000 (newest first), so memory stays flat whatever the table size. The export
 * is recorded in the audit log before the first row leaves.
 */
export async function* exportCsv(db: Kysely<Database>, workspaceId: string, kind: ExportKind, actor: AuditActor): AsyncGenerator<string> {
  await recordAudit(db, { workspaceId, actor, action: `${kind}.exported`, objectType: kind, details: { format: 'csv' } });
  const columns = kind === 'contacts' ? CONTACT_COLUMNS : ACCOUNT_COLUMNS;
  yield toCsv([[...columns]]);
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const rows: Array<Row & { created_at: Date; id: string }> =
      kind === 'contacts' ? await listContacts(db, workspaceId, { limit: PAGE, after }) : await listAccounts(db, workspaceId, { limit: PAGE, after });
    const page = rows.slice(0, PAGE);
    if (page.length > 0) yield csvLines(columns, page);
    if (rows.length <= PAGE) return;
    const last = page[page.length - 1]!;
    after = { createdAt: last.created_at.toISOString(), id: last.id };
  }
}

/**
 * The seam for segment exports: contacts whose ids another part supplies, page by page
 * (a segment's members, a static list), as the same CSV as `exportCsv(..., 'contacts')`.
 */
export async function* exportContactsByIds(db: Kysely<Database>, workspaceId: string, idPages: AsyncIterable<string[]>, audit: { actor: AuditActor; objectType: string; objectId: string }): AsyncGenerator<string> {
  await recordAudit(db, { workspaceId, actor: audit.actor, action: 'contacts.exported', objectType: audit.objectType, objectId: audit.objectId, details: { format: 'csv' } });
  yield toCsv([[...CONTACT_COLUMNS]]);
  for await (const ids of idPages) {
    const rows = await getContactsByIds(db, workspaceId, ids);
    const order = new Map(ids.map((id, i) => [id, i]));
    rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    if (rows.length > 0) yield csvLines(CONTACT_COLUMNS, rows as unknown as Row[]);
  }
}

export const ERROR_REPORT_COLUMNS = ['row', 'line', 'column', 'value', 'reason'] as const;

/** The error report of an import job: one line per refused row, in row order. */
export async function* exportImportRefusals(db: Kysely<Database>, workspaceId: string, jobId: string): AsyncGenerator<string> {
  yield toCsv([[...ERROR_REPORT_COLUMNS]]);
  let after = 0;
  for (;;) {
    const page: Refusal[] = await listImportRefusals(db, workspaceId, jobId, after, PAGE);
    if (page.length === 0) return;
    yield toCsv(page.map((r) => [String(r.row), r.line ? String(r.line) : '', r.column ?? '', r.value ?? '', r.reason]));
    after = page[page.length - 1]!.row;
  }
}
