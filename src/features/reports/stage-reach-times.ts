/**
 * When a contact reached each stage of the funnel order: the first time it entered that
 * stage or any later one (a move from lead straight to sql reaches mql at that moment).
 * `entered` is the first entry into the stage itself (undefined: skipped or not yet).
 */
export function reachTimes(order: readonly string[], firstEntered: ReadonlyMap<string, number>): { reached: Array<number | undefined>; entered: Array<number | undefined> } {
  const entered = order.map((s) => firstEntered.get(s));
  const reached: Array<number | undefined> = new Array(order.length);
  let min: number | undefined;
  for (let i = order.length - 1; i >= 0; i--) {
    const t = entered[i];
    if (t !== undefined && (min === undefined || t < min)) min = t;
    reached[i] = min;
  }
  return { reached, entered };
}

export const DAY_MS = 86_400_000;
