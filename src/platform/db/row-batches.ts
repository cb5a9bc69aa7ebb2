/**
 * PostgreSQL's wire protocol numbers a statement's parameters with 16 bits: an insert of
 * many rows with several columns each overflows at 65,535 parameters (the server then
 * refuses the bind message). Multi-row inserts that take caller-sized input go through
 * this in slices that stay well under the limit.
 */
export const ROWS_PER_INSERT = 2000;

export function rowBatches<T>(rows: readonly T[], size = ROWS_PER_INSERT): T[][] {
  const batches: T[][] = [];
  for (let at = 0; at < rows.length; at += size) batches.push(rows.slice(at, at + size));
  return batches;
}
