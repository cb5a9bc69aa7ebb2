import { createSeededStream } from './seeded-stream.ts';
import { AppError } from '../../platform/errors.ts';
import type { ChannelCredits } from './credits.ts';

interface Sets {
  masks: number[];
  conversions: number[];
  values: number[];
  totals: number[];
}

/**
 * Shapley values of the conversion-rate game by random permutations (beyond the exact
 * limit). In one permutation a channel set joins the coalition when its last channel does,
 * so each permutation costs one pass over the distinct sets. Reports, per channel, the
 * 95% half-width 1.96·sd/√samples of the conversions credit (after scaling to the total).
 */
export function sampledShapley(n: number, sets: Sets, samples: number, seed: number, credits: ChannelCredits): void {
  if (!Number.isInteger(samples) || samples < 2) throw new AppError('invalid', `shapley samples must be an integer >= 2, got ${samples}`);
  const random = createSeededStream(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  const position = new Int32Array(n);
  const bucketConv = new Float64Array(n);
  const bucketVal = new Float64Array(n);
  const bucketTot = new Float64Array(n);
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  const meanVal = new Float64Array(n);
  for (let draw = 1; draw <= samples; draw++) {
    shuffle(order, random);
    order.forEach((c, k) => (position[c] = k));
    bucketConv.fill(0);
    bucketVal.fill(0);
    bucketTot.fill(0);
    sets.masks.forEach((mask, k) => {
      let joins = -1;
      for (let m = mask; m; m &= m - 1) joins = Math.max(joins, position[31 - Math.clz32(m & -m)]!);
      if (joins < 0) return;
      bucketConv[joins]! += sets.conversions[k]!;
      bucketVal[joins]! += sets.values[k]!;
      bucketTot[joins]! += sets.totals[k]!;
    });
    let conv = 0;
    let val = 0;
    let tot = 0;
    let before = 0;
    let beforeVal = 0;
    for (let k = 0; k < n; k++) {
      conv += bucketConv[k]!;
      val += bucketVal[k]!;
      tot += bucketTot[k]!;
      const rate = tot > 0 ? conv / tot : 0;
      const rateVal = tot > 0 ? val / tot : 0;
      const c = order[k]!;
      const delta = rate - before - mean[c]!;
      mean[c]! += delta / draw;
      m2[c]! += delta * (rate - before - mean[c]!);
      meanVal[c]! += (rateVal - beforeVal - meanVal[c]!) / draw;
      before = rate;
      beforeVal = rateVal;
    }
  }
  const totalConv = sets.conversions.reduce((a, b) => a + b, 0);
  const totalVal = sets.values.reduce((a, b) => a + b, 0);
  const sumConv = mean.reduce((a, b) => a + b, 0);
  const sumVal = meanVal.reduce((a, b) => a + b, 0);
  const scale = sumConv > 0 ? totalConv / sumConv : 0;
  let bound = 0;
  for (let c = 0; c < n; c++) {
    credits.conversions[c] = mean[c]! * scale;
    credits.value[c] = sumVal > 0 ? (meanVal[c]! / sumVal) * totalVal : 0;
    bound = Math.max(bound, 1.96 * Math.sqrt(m2[c]! / (samples - 1) / samples) * scale);
  }
  credits.notes.method = `sampled: ${samples} permutations (seed ${seed})`;
  credits.notes.error_bound_95 = bound;
}

function shuffle(a: number[], random: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}
