import { sql, type RawBuilder } from 'kysely';

/** One column to profile: filled when not blank; valid when its text matches `pattern`. */
export interface ColumnCheck {
  column: string;
  /** A PostgreSQL regular expression over the value as text; undefined: every filled value is valid. */
  pattern?: string | undefined;
}

export interface ColumnProfile {
  column: string;
  filled: number;
  valid: number;
  /** Up to 3 rows whose filled value does not match, for a report to show. */
  invalidExamples: Array<{ id: string; value: string }>;
}

const EXAMPLES = 3;

/**
 * The select-list of a one-pass column profile: for each column, how many rows have it
 * filled, how many match its pattern, and a few that do not. Column names come from the
 * caller's fixed list (never from users); patterns are bound parameters.
 */
export function buildColumnProfileSelect(checks: readonly ColumnCheck[]): RawBuilder<unknown> {
  const parts = checks.flatMap(({ column, pattern }, i) => {
    const value = sql`nullif(btrim(${sql.ref(column)}::text), '')`;
    const invalid = pattern === undefined ? sql`false` : sql`${value} is not null and ${value} !~ ${pattern}`;
    return [
      sql`count(${value})::int as ${sql.id(`f${i}`)}`,
      sql`count(*) filter (where ${value} is not null and not (${invalid}))::int as ${sql.id(`v${i}`)}`,
      sql`(array_agg(id::text) filter (where ${invalid}))[1:${sql.lit(EXAMPLES)}] as ${sql.id(`ei${i}`)}`,
      sql`(array_agg(left(${value}, 200)) filter (where ${invalid}))[1:${sql.lit(EXAMPLES)}] as ${sql.id(`ev${i}`)}`,
    ];
  });
  return sql.join(parts);
}

/** Reads the row that `buildColumnProfileSelect` produced back into one profile per column. */
export function readColumnProfiles(checks: readonly ColumnCheck[], row: Record<string, unknown>): ColumnProfile[] {
  return checks.map(({ column }, i) => {
    const ids = (row[`ei${i}`] as string[] | null) ?? [];
    const values = (row[`ev${i}`] as string[] | null) ?? [];
    return { column, filled: Number(row[`f${i}`]), valid: Number(row[`v${i}`]), invalidExamples: ids.map((id, k) => ({ id, value: values[k] ?? '' })) };
  });
}
