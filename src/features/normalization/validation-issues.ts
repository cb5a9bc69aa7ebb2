import type { Kysely } from 'kysely';
import type { Database, ValidationObjectType } from '../../platform/db/schema.ts';
import type { FieldIssue } from './field-normalizers.ts';
import * as q from './normalization.queries.ts';

export type { IssueFilter, IssueCountRow } from './normalization.queries.ts';

/** What a write path checked on one object: the fields it saw and the issues among them. */
export interface ObjectFieldChecks {
  objectId: string;
  /** Fields written with a valid value: any issue stored for them is resolved. */
  validFields: string[];
  issues: FieldIssue[];
}

/**
 * Records the outcome of normalization for many objects in two statements: issues are
 * upserted (one per object and field, the latest), fields that now hold a valid value
 * lose their old issue. Every way data comes in calls this (ingest: source 'ingest',
 * CSV import: 'import').
 */
export async function recordFieldChecks(
  db: Kysely<Database>,
  workspaceId: string,
  objectType: ValidationObjectType,
  source: string,
  checks: ObjectFieldChecks[],
  at: Date = new Date(),
): Promise<void> {
  const rows: q.FieldCheckRow[] = [];
  for (const check of checks) {
    const failing = new Set(check.issues.map((i) => i.field));
    for (const field of check.validFields) if (!failing.has(field)) rows.push({ objectId: check.objectId, field });
    for (const issue of check.issues) rows.push({ objectId: check.objectId, field: issue.field, issue: { value: issue.value, reason: issue.reason } });
  }
  await q.upsertFieldIssues(db, workspaceId, objectType, source, rows, at);
}

export const listFieldIssues = (db: Kysely<Database>, workspaceId: string, filter: q.IssueFilter) => q.selectFieldIssues(db, workspaceId, filter);

export interface FieldValiditySummary {
  objectType: ValidationObjectType;
  field: string;
  invalid: number;
  reasons: Array<{ reason: string; count: number }>;
}

/**
 * Invalid values per object type and field, with the reasons: the seam the data-health
 * report counts validity from (valid = filled - invalid; invalid values are not in the
 * column, they are traits, so "filled" comes from the column and "invalid" from here).
 */
export async function summarizeFieldValidity(db: Kysely<Database>, workspaceId: string): Promise<FieldValiditySummary[]> {
  const byField = new Map<string, FieldValiditySummary>();
  for (const row of await q.countFieldIssues(db, workspaceId)) {
    const key = `${row.object_type}.${row.field}`;
    const entry = byField.get(key) ?? { objectType: row.object_type, field: row.field, invalid: 0, reasons: [] };
    entry.invalid += row.issues;
    entry.reasons.push({ reason: row.reason, count: row.issues });
    byField.set(key, entry);
  }
  return [...byField.values()];
}
