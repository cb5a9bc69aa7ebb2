import { AppError } from '../../platform/errors.ts';
import { emptyCredits, type ChannelCredits } from './credits.ts';
import type { PathTable } from './path-table.ts';
import { sampledShapley } from './shapley-sampling.ts';

/** What a coalition S of channels is worth. */
export type ShapleyValueOf = 'conversions' | 'conversion-rate';

export interface ShapleyOptions {
  worth?: ShapleyValueOf;
  /** Channel counts up to this are computed exactly over all 2^n coalitions (default 15). */
  exactLimit?: number;
  /** Sampled permutations beyond the exact limit (conversion-rate only). */
  samples?: number;
  seed?: number;
}

const MAX_CHANNELS = 30;

/**
 * Shapley value over channel sets. A journey's set is the distinct channels it touched.
 * v(S) ('conversions', the default) = conversions of journeys whose set is a subset of S:
 * what the coalition S brings in on its own, so v(all) = total conversions and the credits
 * add up to it. 'conversion-rate': v(S) = conversions / (conversions + nulls) of journeys
 * whose set is a subset of S, credits then scaled to the total conversions. Exact via the
 * subset (zeta) transform and φ_i = Σ_{S∌i} |S|!(n-|S|-1)!/n! (v(S∪{i}) - v(S)).
 */
export function attributeShapley(table: PathTable, options: ShapleyOptions = {}): ChannelCredits {
  const n = table.channels.length;
  const valueOf = options.worth ?? 'conversions';
  const credits = emptyCredits('shapley', table.channels);
  if (n > MAX_CHANNELS) {
    if (valueOf !== 'conversions') throw new AppError('invalid', `shapley with v(S) = conversion rate supports up to ${MAX_CHANNELS} channels, the table has ${n}`);
    splitPathsEqually(table, credits);
    credits.notes.v_of_s = 'conversions of journeys whose channel set is a subset of S';
    credits.notes.method = 'exact (closed form: each journey\'s conversions split equally over its distinct channels)';
    return credits;
  }
  const sets = collectSets(table);
  credits.notes.v_of_s = valueOf === 'conversions' ? 'conversions of journeys whose channel set is a subset of S' : 'conversion rate of journeys whose channel set is a subset of S';
  credits.notes.channel_sets = sets.masks.length;
  const exactLimit = options.exactLimit ?? 15;
  if (n <= exactLimit) {
    exactShapley(n, sets, valueOf, credits);
  } else if (valueOf === 'conversions') {
    // The conversions game is a sum of unanimity games (one per channel set), whose Shapley
    // value gives each member 1/|T|: exact for any n, no sampling needed.
    splitEqually(sets, credits);
    credits.notes.method = 'exact (closed form: each set\'s conversions split equally over its channels)';
  } else {
    sampledShapley(n, sets, options.samples ?? 1000, options.seed ?? 1, credits);
  }
  return credits;
}

interface ChannelSets {
  masks: number[];
  conversions: number[];
  values: number[];
  totals: number[];
}

function collectSets(table: PathTable): ChannelSets {
  const index = new Map<number, number>();
  const sets: ChannelSets = { masks: [], conversions: [], values: [], totals: [] };
  for (let p = 0; p < table.pathCount; p++) {
    let mask = 0;
    for (let i = table.offsets[p]!; i < table.offsets[p + 1]!; i++) mask |= 1 << table.touches[i]!;
    let k = index.get(mask);
    if (k === undefined) {
      k = sets.masks.length;
      index.set(mask, k);
      sets.masks.push(mask >>> 0);
      sets.conversions.push(0);
      sets.values.push(0);
      sets.totals.push(0);
    }
    sets.conversions[k]! += table.conversions[p]!;
    sets.values[k]! += table.values[p]!;
    sets.totals[k]! += table.conversions[p]! + table.nulls[p]!;
  }
  return sets;
}

/** f(S) = Σ_{T ⊆ S} f(T), in place over 2^n entries. */
function zeta(f: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    for (let s = 0; s < f.length; s++) if (s & bit) f[s]! += f[s ^ bit]!;
  }
}

function exactShapley(n: number, sets: ChannelSets, valueOf: ShapleyValueOf, credits: ChannelCredits): void {
  const size = 1 << n;
  const conv = new Float64Array(size);
  const val = new Float64Array(size);
  const tot = new Float64Array(size);
  sets.masks.forEach((m, k) => {
    conv[m]! += sets.conversions[k]!;
    val[m]! += sets.values[k]!;
    tot[m]! += sets.totals[k]!;
  });
  zeta(conv, n);
  zeta(val, n);
  zeta(tot, n);
  if (valueOf === 'conversion-rate') {
    for (let s = 0; s < size; s++) {
      const t = tot[s]!;
      conv[s] = t > 0 ? conv[s]! / t : 0;
      val[s] = t > 0 ? val[s]! / t : 0;
    }
  }
  const weight = coalitionWeights(n);
  const popcount = new Uint8Array(size);
  for (let s = 1; s < size; s++) popcount[s] = popcount[s >> 1]! + (s & 1);
  for (let i = 0; i < n; i++) {
    const bit = 1 << i;
    let phiConv = 0;
    let phiVal = 0;
    for (let s = 0; s < size; s++) {
      if (s & bit) continue;
      const w = weight[popcount[s]!]!;
      phiConv += w * (conv[s | bit]! - conv[s]!);
      phiVal += w * (val[s | bit]! - val[s]!);
    }
    credits.conversions[i] = phiConv;
    credits.value[i] = phiVal;
  }
  if (valueOf === 'conversion-rate') scaleToTotals(sets, credits);
  credits.notes.method = `exact over ${size} coalitions`;
}

/** |S|!(n-|S|-1)!/n! for |S| = 0..n-1, computed as a product to stay exact-ish for n ≤ 30. */
export function coalitionWeights(n: number): Float64Array {
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k!(n-k-1)!/n! = 1 / (n * C(n-1, k))
    let binom = 1;
    for (let j = 1; j <= k; j++) binom = (binom * (n - 1 - k + j)) / j;
    w[k] = 1 / (n * binom);
  }
  return w;
}

function splitEqually(sets: ChannelSets, credits: ChannelCredits): void {
  sets.masks.forEach((mask, k) => {
    let size = 0;
    for (let m = mask; m; m &= m - 1) size++;
    if (size === 0) return;
    for (let i = 0; i < credits.channels.length; i++) {
      if (!(mask & (1 << i))) continue;
      credits.conversions[i]! += sets.conversions[k]! / size;
      credits.value[i]! += sets.values[k]! / size;
    }
  });
}

function scaleToTotals(sets: ChannelSets, credits: ChannelCredits): void {
  const totalConv = sets.conversions.reduce((a, b) => a + b, 0);
  const totalVal = sets.values.reduce((a, b) => a + b, 0);
  const sumConv = credits.conversions.reduce((a, b) => a + b, 0);
  const sumVal = credits.value.reduce((a, b) => a + b, 0);
  for (let i = 0; i < credits.channels.length; i++) {
    credits.conversions[i] = sumConv > 0 ? (credits.conversions[i]! / sumConv) * totalConv : 0;
    credits.value[i] = sumVal > 0 ? (credits.value[i]! / sumVal) * totalVal : 0;
  }
}

/** The closed form for any number of channels: each journey split over its distinct channels. */
function splitPathsEqually(table: PathTable, credits: ChannelCredits): void {
  const seen = new Int32Array(table.channels.length).fill(-1);
  for (let p = 0; p < table.pathCount; p++) {
    let distinct = 0;
    for (let i = table.offsets[p]!; i < table.offsets[p + 1]!; i++) {
      if (seen[table.touches[i]!] === p) continue;
      seen[table.touches[i]!] = p;
      distinct++;
    }
    for (let i = table.offsets[p]!; i < table.offsets[p + 1]!; i++) {
      const c = table.touches[i]!;
      if (seen[c] !== p) continue;
      seen[c] = -2 - p;
      credits.conversions[c]! += table.conversions[p]! / distinct;
      credits.value[c]! += table.values[p]! / distinct;
    }
  }
}
