import type { SurvivorshipRule } from './dedupe-settings.ts';

/** What a survivorship rule needs to know about each of the two records. */
export interface MergeSide<Row> {
  row: Row;
  /** When this record's values were last set (newest identify, or last update). */
  updatedAt: Date;
  /** traits.source, or null. */
  source: string | null;
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';
const lengthOf = (v: unknown) => (typeof v === 'string' ? v.trim().length : isEmpty(v) ? 0 : 1);

/**
 * The value a field keeps when two records merge. Whatever the rule, a value never loses
 * to an empty one: every rule falls back to the other record's value when its pick is empty.
 */
export function chooseFieldValue<Row>(rule: SurvivorshipRule, survivor: MergeSide<Row>, other: MergeSide<Row>, pick: (row: Row) => unknown, sourcePriority: readonly string[]): unknown {
  const a = pick(survivor.row);
  const b = pick(other.row);
  if (isEmpty(a)) return b;
  if (isEmpty(b)) return a;
  switch (rule) {
    case 'survivor_first':
      return a;
    case 'most_recent':
      return other.updatedAt > survivor.updatedAt ? b : a;
    case 'most_complete':
      return lengthOf(b) > lengthOf(a) ? b : a;
    case 'source_priority': {
      const rank = (s: string | null) => {
        const i = s === null ? -1 : sourcePriority.indexOf(s);
        return i < 0 ? sourcePriority.length : i;
      };
      return rank(other.source) < rank(survivor.source) ? b : a;
    }
  }
}

/** Custom traits: union of both, the newer record's value winning on shared keys. */
export function mergeTraits(survivor: MergeSide<{ traits: Record<string, unknown> }>, other: MergeSide<{ traits: Record<string, unknown> }>): Record<string, unknown> {
  return other.updatedAt > survivor.updatedAt ? { ...survivor.row.traits, ...other.row.traits } : { ...other.row.traits, ...survivor.row.traits };
}
