import { periodLabel } from '../../platform/calendar-periods.ts';
import { spreadOf, type Spread } from './percentiles.ts';
import { DAY_MS, reachTimes } from './stage-reach-times.ts';

export interface CohortStage {
  stage: string;
  /** Cohort members that have reached the stage by now (entered it or a later one). */
  reached: number;
  /** reached / cohort size. */
  share: number;
  /** Days from reaching the entry stage to reaching this one. */
  days_from_entry: Spread;
}

export interface Cohort {
  /** Month (UTC) the members reached the entry stage, e.g. 2026-09. */
  month: string;
  size: number;
  stages: CohortStage[];
}

/** Groups contacts by the month they reached the entry stage, and follows each month's cohort down the funnel. */
export class CohortBuilder {
  private readonly cohorts = new Map<string, { size: number; reached: number[]; days: number[][] }>();
  private readonly entryIndex: number;

  constructor(
    private readonly order: readonly string[],
    entryStage: string,
    private readonly range: { fromMs: number; toMs: number },
  ) {
    this.entryIndex = order.indexOf(entryStage);
    if (this.entryIndex < 0) throw new Error(`entry stage ${entryStage} is not in the order`);
  }

  get later(): readonly string[] {
    return this.order.slice(this.entryIndex + 1);
  }

  add(firstEntered: ReadonlyMap<string, number>): void {
    const { reached } = reachTimes(this.order, firstEntered);
    const entry = reached[this.entryIndex];
    if (entry === undefined || entry < this.range.fromMs || entry >= this.range.toMs) return;
    const month = periodLabel(entry, 'month');
    let cohort = this.cohorts.get(month);
    if (!cohort) this.cohorts.set(month, (cohort = { size: 0, reached: this.later.map(() => 0), days: this.later.map(() => []) }));
    cohort.size++;
    this.later.forEach((_, k) => {
      const t = reached[this.entryIndex + 1 + k];
      if (t === undefined) return;
      cohort.reached[k]!++;
      cohort.days[k]!.push((t - entry) / DAY_MS);
    });
  }

  result(): Cohort[] {
    return [...this.cohorts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, c]) => ({
        month,
        size: c.size,
        stages: this.later.map((stage, k) => ({ stage, reached: c.reached[k]!, share: c.reached[k]! / c.size, days_from_entry: spreadOf(c.days[k]!) })),
      }));
  }
}
