/** Scores of closed deals and whether each was won: the input of a backtest. */
export interface Outcome {
  score: number;
  won: boolean;
}

export interface Band {
  min: number;
  max: number;
  opportunities: number;
  won: number;
  conversion: number;
}

/**
 * ROC AUC by the Mann-Whitney statistic: the chance that a won deal scored higher than a
 * lost one (ties count half). 0.5 is no better than chance. Null without both kinds.
 */
export function rocAuc(outcomes: Outcome[]): number | null {
  const won = outcomes.filter((o) => o.won).length;
  const lost = outcomes.length - won;
  if (won === 0 || lost === 0) return null;
  const sorted = [...outcomes].sort((a, b) => a.score - b.score);
  let rankSumWon = 0;
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j]!.score === sorted[i]!.score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (sorted[k]!.won) rankSumWon += averageRank;
    i = j;
  }
  return (rankSumWon - (won * (won + 1)) / 2) / (won * lost);
}

/** Equal-count bands over the sorted scores (ties stay in one band), with conversion rates. */
export function conversionBands(outcomes: Outcome[], count: number): Band[] {
  const sorted = [...outcomes].sort((a, b) => a.score - b.score);
  const bands: Band[] = [];
  const size = Math.max(1, Math.ceil(sorted.length / count));
  for (let i = 0; i < sorted.length; ) {
    let j = Math.min(sorted.length, i + size);
    while (j < sorted.length && sorted[j]!.score === sorted[j - 1]!.score) j++;
    const slice = sorted.slice(i, j);
    const won = slice.filter((o) => o.won).length;
    bands.push({ min: slice[0]!.score, max: slice[slice.length - 1]!.score, opportunities: slice.length, won, conversion: won / slice.length });
    i = j;
  }
  return bands;
}

/** The threshold (score >= t means "qualified") with the best Youden J = TPR - FPR. */
export function suggestThreshold(outcomes: Outcome[]): { threshold: number; truePositiveRate: number; falsePositiveRate: number } | null {
  const won = outcomes.filter((o) => o.won).length;
  const lost = outcomes.length - won;
  if (won === 0 || lost === 0) return null;
  let best: { threshold: number; truePositiveRate: number; falsePositiveRate: number; j: number } | null = null;
  for (const t of [...new Set(outcomes.map((o) => o.score))].sort((a, b) => a - b)) {
    const tpr = outcomes.filter((o) => o.won && o.score >= t).length / won;
    const fpr = outcomes.filter((o) => !o.won && o.score >= t).length / lost;
    if (!best || tpr - fpr > best.j) best = { threshold: t, truePositiveRate: tpr, falsePositiveRate: fpr, j: tpr - fpr };
  }
  const { j: _, ...rest } = best!;
  return rest;
}
