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
 * A one-pass column profile in two parts. The inner select-list (over the table, with an
 * `id` column) cleans each value once and evaluates its pattern once per row, as v0, b0,
 * v1, b1, ...; the outer one aggregates them: how many rows have the column filled, how
 * many match, and a few that do not. The caller keeps the inner query from being
 * flattened (`offset 0`), so no regular expression runs twice on a row. Column names come
 * from the caller's fixed list (never from users); patterns are bound parameters.
 */
export function buildColumnProfileInner(checks: readonly ColumnCheck[]): RawBuilder<unknown> {
  return sql.join(
    checks.flatMap(({ column, pattern }, i) => {
      const value = sql`nullif(btrim(${sql.ref(column)}::text), '')`;
      return [sql`${value} as ${sql.id(`v${i}`)}`, pattern === undefined ? sql`false as ${sql.id(`b${i}`)}` : sql`${value} !~ ${pattern} as ${sql.id(`b${i}`)}`];
    }),
  );
}

export function buildColumnProfileSelect(checks: readonly ColumnCheck[]): RawBuilder<unknown> {
  return sql.join(
    checks.flatMap((_, i) => {
      const [v, b] = [sql.ref(`v${i}`), sql.ref(`b${i}`)];
      return [
        sql`count(${v})::int as ${sql.id(`f${i}`)}`,
        sql`(count(${v}) - count(*) filter (where ${b}))::int as ${sql.id(`v${i}`)}`,
        sql`(array_agg(id::text) filter (where ${b}))[1:${sql.lit(EXAMPLES)}] as ${sql.id(`ei${i}`)}`,
        sql`(array_agg(left(${v}, 200)) filter (where ${b}))[1:${sql.lit(EXAMPLES)}] as ${sql.id(`ev${i}`)}`,
      ];
    }),
  );
}

/** Reads the row that `buildColumnProfileSelect` produced back into one profile per column. */
export function readColumnProfiles(checks: readonly ColumnCheck[], row: Record<string, unknown>): ColumnProfile[] {
  return checks.map(({ column }, i) => {
    const ids = (row[`ei${i}`] as string[] | null) ?? [];
    const values = (row[`ev${i}`] as string[] | null) ?? [];
    return { column, filled: Number(row[`f${i}`]), valid: Number(row[`v${i}`]), invalidExamples: ids.map((id, k) => ({ id, value: values[k] ?? '' })) };
  });
}
