import { spreadOf, type Spread } from './percentiles.ts';
import { DAY_MS, reachTimes } from './stage-reach-times.ts';

export interface FunnelStage {
  stage: string;
  /** Contacts that reached the stage (entered it or a later one) in the range. */
  reached: number;
  /** Of those, contacts that entered the stage itself; the rest skipped it. */
  entered: number;
  skipped: number;
  next_stage: string | null;
  /** Of `reached`, contacts that reached the next stage before the range's end. */
  converted_to_next: number;
  /** converted_to_next / reached; null for the last stage or none reached. */
  conversion_rate: number | null;
  /** Days from entering the stage (in the range) to reaching the next (before the end). */
  days_in_stage: Spread;
}

export interface FunnelRange {
  fromMs: number;
  toMs: number;
}

/** Accumulates the funnel contact by contact (the contacts arrive as a stream). */
export class FunnelBuilder {
  private readonly reached: number[];
  private readonly entered: number[];
  private readonly converted: number[];
  private readonly durations: number[][];
  contacts = 0;

  constructor(
    private readonly order: readonly string[],
    private readonly range: FunnelRange,
  ) {
    this.reached = order.map(() => 0);
    this.entered = order.map(() => 0);
    this.converted = order.map(() => 0);
    this.durations = order.map(() => []);
  }

  add(firstEntered: ReadonlyMap<string, number>): void {
    const { reached, entered } = reachTimes(this.order, firstEntered);
    const inRange = (t: number | undefined): t is number => t !== undefined && t >= this.range.fromMs && t < this.range.toMs;
    const beforeEnd = (t: number | undefined): t is number => t !== undefined && t < this.range.toMs;
    let counted = false;
    for (let i = 0; i < this.order.length; i++) {
      if (!inRange(reached[i])) continue;
      counted = true;
      this.reached[i]!++;
      const next = reached[i + 1];
      if (beforeEnd(next)) this.converted[i]!++;
      const own = entered[i];
      if (own === undefined || own > reached[i]! ) continue;
      this.entered[i]!++;
      if (beforeEnd(next) && next >= own) this.durations[i]!.push((next - own) / DAY_MS);
    }
    if (counted) this.contacts++;
  }

  result(): FunnelStage[] {
    return this.order.map((stage, i) => {
      const last = i === this.order.length - 1;
      const reached = this.reached[i]!;
      return {
        stage,
        reached,
        entered: this.entered[i]!,
        skipped: reached - this.entered[i]!,
        next_stage: last ? null : this.order[i + 1]!,
        converted_to_next: last ? 0 : this.converted[i]!,
        conversion_rate: last || reached === 0 ? null : this.converted[i]! / reached,
        days_in_stage: spreadOf(last ? [] : this.durations[i]!),
      };
    });
  }
}
