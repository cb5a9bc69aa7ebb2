import type { FellegiSunterModel } from './fellegi-sunter.ts';
import type { PreparedRecords } from './prepare-records.ts';

/**
 * Term-frequency adjustment (Winkler; Splink's "tf adjustment") for address fields: the
 * model's u for "addresses agree" is an average over all values, but two records sharing
 * an address held by 2 of 3,000 records is far stronger evidence than sharing one held by
 * 200 (a business centre, a PO box). For a pair agreeing on an address (exact, or the same
 * house number and street), the weight log2(m/u) becomes log2(m/u_value) with u_value the
 * share of records holding the rarer-of-the-two value; both directions, so common values
 * count for less. Per pair, so it is applied on top of the pattern's weight.
 *
 * Company names get it too, downwards only: two contacts at an account that holds a fifth
 * of the list share little by sharing it (colleagues, namesakes), while a rare company keeps
 * the average weight, since the email domain and the names carry the rest.
 */
export interface TermFrequencyAdjuster {
  /** Extra match weight (bits) of the pair i, j given its comparison levels. */
  adjustmentOf(levels: readonly number[], i: number, j: number): number;
  /** The same for field f alone (0 for fields without an adjustment): the evidence shown per field. */
  fieldAdjustmentOf(f: number, level: number, i: number, j: number): number;
  readonly active: boolean;
}

const AGREEING_LEVELS = 2; // address levels at or above this one agree on number and street (company: close or exact)
const ADJUSTED_KINDS = new Set(['address', 'company']);

export function createTermFrequencyAdjuster(records: PreparedRecords, model: FellegiSunterModel): TermFrequencyAdjuster {
  const n = records.ids.length;
  const columns = records.columns.map((column, f) => ({ column, f })).filter(({ column }) => ADJUSTED_KINDS.has(column.spec.kind));
  if (columns.length === 0 || n < 2) return { active: false, adjustmentOf: () => 0, fieldAdjustmentOf: () => 0 };
  const counts = columns.map(({ column }) => {
    const byValue = new Map<string, number>();
    for (const v of column.values) if (v !== '') byValue.set(v, (byValue.get(v) ?? 0) + 1);
    return byValue;
  });
  const byField = new Map(columns.map(({ column, f }, c) => [f, { column, byValue: counts[c]! }]));
  const fieldAdjustmentOf = (f: number, level: number, i: number, j: number): number => {
    const entry = byField.get(f);
    if (!entry || level < AGREEING_LEVELS) return 0;
    // Of two spellings, the more common one: the conservative reading of the evidence.
    const holders = Math.max(entry.byValue.get(entry.column.values[i]!) ?? 1, entry.byValue.get(entry.column.values[j]!) ?? 1);
    const uValue = Math.max(holders - 1, 1) / (n - 1);
    const bits = Math.log2(model.u[f]![level]! / uValue);
    return entry.column.spec.kind === 'company' ? Math.min(0, bits) : bits;
  };
  return {
    active: true,
    fieldAdjustmentOf,
    adjustmentOf: (levels, i, j) => columns.reduce((bits, { f }) => bits + fieldAdjustmentOf(f, levels[f]!, i, j), 0),
  };
}
