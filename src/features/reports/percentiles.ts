/**
 * The p-quantile (0..1) of sorted values by linear interpolation between the closest
 * ranks, as PostgreSQL's percentile_cont: the median of [1, 2, 3, 10] is 2.5. Null when empty.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const position = p * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

export interface Spread {
  /** How many durations the figures are over. */
  count: number;
  median: number | null;
  p75: number | null;
  p90: number | null;
}

/** Median, p75 and p90 of durations (any order). */
export function spreadOf(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, median: percentile(sorted, 0.5), p75: percentile(sorted, 0.75), p90: percentile(sorted, 0.9) };
}
