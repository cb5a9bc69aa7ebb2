import { AppError } from '../../platform/errors.ts';
import { emptyCredits, type ChannelCredits } from './credits.ts';
import { type PathTable } from './path-table.ts';

const DAY_MS = 86_400_000;

export interface RuleOptions {
  /** Touches older than this many days before the conversion are left out. */
  lookbackDays?: number;
  /** Time-decay half-life in days (default 7). */
  halfLifeDays?: number;
  /** Channel names that count as direct for last-non-direct (default: "direct", any case). */
  directChannels?: readonly string[];
}

/**
 * Fills `weights[0..n)` for the n touches of one path (after lookback); the weights of a
 * path sum to 1. `first` is the index of the path's first kept touch in the touch arrays.
 */
export type WeightFn = (table: PathTable, kept: Int32Array, n: number, path: number, weights: Float64Array) => void;

/** Runs a per-touch weighting over every path with conversions or value. */
export function distributeCredits(table: PathTable, model: string, weigh: WeightFn, options: RuleOptions): ChannelCredits {
  const credits = emptyCredits(model, table.channels);
  const lookbackMs = lookbackOf(table, model, options);
  let kept = new Int32Array(64);
  let weights = new Float64Array(64);
  const { offsets, touches, conversions, values } = table;
  for (let p = 0; p < table.pathCount; p++) {
    const conv = conversions[p]!;
    const val = values[p]!;
    if (conv === 0 && val === 0) continue;
    const start = offsets[p]!;
    const end = offsets[p + 1]!;
    if (end - start > kept.length) {
      kept = new Int32Array(2 * (end - start));
      weights = new Float64Array(2 * (end - start));
    }
    const n = keepTouches(table, p, start, end, lookbackMs, kept);
    if (n === 0) {
      credits.unattributed.conversions += conv;
      credits.unattributed.value += val;
      continue;
    }
    weigh(table, kept, n, p, weights);
    for (let i = 0; i < n; i++) {
      const c = touches[kept[i]!]!;
      credits.conversions[c]! += weights[i]! * conv;
      credits.value[c]! += weights[i]! * val;
    }
  }
  return credits;
}

function lookbackOf(table: PathTable, model: string, options: RuleOptions): number {
  if (options.lookbackDays === undefined) return Infinity;
  if (!(options.lookbackDays > 0)) throw new AppError('invalid', `lookback must be a positive number of days, got ${options.lookbackDays}`);
  if (!table.touchTimes) throw new AppError('invalid', `lookback window (${options.lookbackDays} days) on model ${model} needs touch times; a ChannelAttribution path table has none (run on workspace touchpoints)`);
  return options.lookbackDays * DAY_MS;
}

function keepTouches(table: PathTable, p: number, start: number, end: number, lookbackMs: number, kept: Int32Array): number {
  let n = 0;
  if (lookbackMs === Infinity) {
    for (let i = start; i < end; i++) kept[n++] = i;
    return n;
  }
  const conversionTime = table.conversionTimes![p]!;
  for (let i = start; i < end; i++) if (conversionTime - table.touchTimes![i]! <= lookbackMs) kept[n++] = i;
  return n;
}

const fill = (weights: Float64Array, n: number, v: number) => weights.fill(v, 0, n);

export const weighFirstTouch: WeightFn = (_t, _k, n, _p, w) => {
  fill(w, n, 0);
  w[0] = 1;
};

export const weighLastTouch: WeightFn = (_t, _k, n, _p, w) => {
  fill(w, n, 0);
  w[n - 1] = 1;
};

export const weighLinear: WeightFn = (_t, _k, n, _p, w) => fill(w, n, 1 / n);

/** 40% first, 40% last, 20% over the middle; one touch 100%, two touches 50/50. */
export const weighPositionBased: WeightFn = (_t, _k, n, _p, w) => {
  if (n <= 2) return fill(w, n, 1 / n);
  fill(w, n, 0.2 / (n - 2));
  w[0] = 0.4;
  w[n - 1] = 0.4;
};

/** The last touch whose channel is not direct; direct only when nothing else is there. */
export function weighLastNonDirect(table: PathTable, options: RuleOptions): WeightFn {
  const names = new Set((options.directChannels ?? ['direct']).map((d) => d.trim().toLowerCase()));
  const isDirect = table.channels.map((c) => names.has(c.trim().toLowerCase()));
  return (t, kept, n, _p, w) => {
    fill(w, n, 0);
    let pick = n - 1;
    while (pick > 0 && isDirect[t.touches[kept[pick]!]!]) pick--;
    if (isDirect[t.touches[kept[pick]!]!]) pick = n - 1;
    w[pick] = 1;
  };
}

/** Weight 2^(-age/half-life), age from the touch to the conversion, normalised per path. */
export function weighTimeDecay(table: PathTable, options: RuleOptions): WeightFn {
  if (!table.touchTimes || !table.conversionTimes) throw new AppError('invalid', 'model time-decay needs touch times and conversion times; a ChannelAttribution path table has none (run it on workspace touchpoints with --workspace)');
  const halfLife = options.halfLifeDays ?? 7;
  if (!(halfLife > 0)) throw new AppError('invalid', `half-life must be a positive number of days, got ${halfLife}`);
  const halfLifeMs = halfLife * DAY_MS;
  return (t, kept, n, p, w) => {
    const at = t.conversionTimes![p]!;
    // Ages are taken relative to the youngest touch: the same ratios after normalising,
    // without underflow to 0/0 when every touch is years old.
    let youngest = Infinity;
    for (let i = 0; i < n; i++) youngest = Math.min(youngest, Math.max(0, at - t.touchTimes![kept[i]!]!));
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const age = Math.max(0, at - t.touchTimes![kept[i]!]!);
      w[i] = Math.pow(2, -(age - youngest) / halfLifeMs);
      sum += w[i]!;
    }
    for (let i = 0; i < n; i++) w[i]! /= sum;
  };
}
