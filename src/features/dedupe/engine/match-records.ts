import { generateCandidatePairs, planBlockingPasses, type PassStats } from './blocking.ts';
import { compareRecords, decodePattern, encodePattern } from './compare-fields.ts';
import { constrainModel, countImplausibleFields, estimateU, fitFellegiSunter, fitFellegiSunterByPass, fitPriorModel, isPlausibleModel, patternWeight, probabilityOf, type FellegiSunterModel } from './fellegi-sunter.ts';
import { AUTO_MERGE_MIN_LEVELS, LEVEL_NAMES, VETO_LEVELS, type FieldSpec, type InputRecord } from './field-spec.ts';
import { isFreeMailDomain } from './normalize-values.ts';
import { prepareRecords, type PreparedRecords } from './prepare-records.ts';
import { createTermFrequencyAdjuster, type TermFrequencyAdjuster } from './term-frequency.ts';

export interface MatchOptions {
  maxBlockSize?: number;
  /** Sorted-neighbourhood width in blocks over maxBlockSize (see BlockingOptions.neighbours). */
  neighbours?: number;
  /** Link two files (records carry `source`): only pairs across sources. */
  linkOnly?: boolean;
  /** Random pairs compared to estimate u. */
  uSampleSize?: number;
  seed?: number;
  /**
   * How m and u are estimated. 'auto' (default): EM of m, u and lambda over the candidates,
   * started from u of random pairs ('free'); if the result is not plausible (see
   * isPlausibleModel), EM with u held at the random-pair estimate first ('staged'), then
   * m estimated per blocking pass ('per-pass'). Under MIN_PAIRS_FOR_EM candidates: 'prior'.
   */
  em?: EmStrategy;
  /** The workspace's own free-mail domains, beside normalization's lists. */
  extraFreeMailDomains?: readonly string[];
}

export type EmStrategy = 'auto' | 'free' | 'staged' | 'fixed-u' | 'per-pass' | 'prior';

/** Below this many candidate pairs EM has too little to learn m from: prior m is used ('prior'). */
export const MIN_PAIRS_FOR_EM = 1000;

export interface MatchStats {
  records: number;
  candidatePairs: number;
  /** n(n-1)/2, or n1*n2 when linking: what comparing everything would cost. */
  allPairs: number;
  passes: PassStats[];
  distinctPatterns: number;
  /** The EM strategy whose model was used. */
  em: EmStrategy;
  millis: { prepare: number; block: number; compare: number; fit: number };
}

export interface MatchRun {
  records: PreparedRecords;
  model: FellegiSunterModel;
  left: Int32Array;
  right: Int32Array;
  /** Comparison pattern code of each candidate pair. */
  patterns: Float64Array;
  count: number;
  stats: MatchStats;
  /** Share of matches among all pairs (the model's lambda is among the candidates). */
  strictLambda: number;
  /** Match weight and probability of a pattern code. */
  scoreOf(code: number): PatternScore;
  /** Per-pair term-frequency adjustment of address agreement (added to the pattern's weight). */
  termFrequency: TermFrequencyAdjuster;
}

export interface PatternScore {
  weight: number;
  probability: number;
  /** The probability with the prior of all pairs (see strictLambda): what auto-merge compares with its threshold. */
  mergeProbability: number;
  /** Whether the fields agree enough to merge without review (AUTO_MERGE_MIN_LEVELS). */
  autoMergeable: boolean;
}

export interface FieldEvidence {
  field: string;
  kind: string;
  level: string;
  /** log2(m/u): how much this field's agreement or disagreement moved the score. */
  weight: number;
  a: string;
  b: string;
}

function createRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function samplePatterns(records: PreparedRecords, size: number, linkOnly: boolean, seed: number, compare: (i: number, j: number) => number): Map<number, number> {
  const n = records.ids.length;
  const random = createRandom(seed);
  const counts = new Map<number, number>();
  if (n < 2) return counts;
  for (let s = 0, tries = 0; s < size && tries < size * 20; tries++) {
    const i = Math.floor(random() * n);
    const j = Math.floor(random() * n);
    if (i === j || (linkOnly && records.sources[i] === records.sources[j])) continue;
    const code = compare(i, j);
    counts.set(code, (counts.get(code) ?? 0) + 1);
    s++;
  }
  return counts;
}

function countAllPairs(records: PreparedRecords, linkOnly: boolean): number {
  const n = records.ids.length;
  if (!linkOnly) return (n * (n - 1)) / 2;
  const bySource = new Map<number, number>();
  for (const s of records.sources) bySource.set(s, (bySource.get(s) ?? 0) + 1);
  const sizes = [...bySource.values()];
  return (n * n - sizes.reduce((t, x) => t + x * x, 0)) / 2;
}

/**
 * The whole engine: normalize, block, compare every candidate pair, fit Fellegi-Sunter by
 * EM (u from random pairs), score. Pure and in memory: the callers (database dedupe, CSV,
 * benches) decide what to do with the scored pairs.
 */
export function matchRecords(input: readonly InputRecord[], fields: readonly FieldSpec[], options: MatchOptions = {}): MatchRun {
  const linkOnly = options.linkOnly ?? false;
  let started = performance.now();
  const extra = options.extraFreeMailDomains;
  const records = prepareRecords(input, fields, { isFreeMailDomain: (domain) => isFreeMailDomain(domain, extra) });
  const prepare = performance.now() - started;

  started = performance.now();
  const candidates = generateCandidatePairs(records, planBlockingPasses(records), { maxBlockSize: options.maxBlockSize ?? 100, linkOnly, ...(options.neighbours === undefined ? {} : { neighbours: options.neighbours }) });
  const block = performance.now() - started;

  started = performance.now();
  const kinds = fields.map((f) => f.kind);
  const givenIndex = fields.findIndex((f) => f.kind === 'given_name');
  const familyIndex = fields.findIndex((f) => f.kind === 'family_name');
  const levels = new Int8Array(fields.length);
  const compare = (i: number, j: number) => {
    compareRecords(records, givenIndex, familyIndex, i, j, levels);
    return encodePattern(levels, kinds);
  };
  const patterns = new Float64Array(candidates.count);
  const patternCounts = new Map<number, number>();
  for (let p = 0; p < candidates.count; p++) {
    const code = compare(candidates.left[p]!, candidates.right[p]!);
    patterns[p] = code;
    patternCounts.set(code, (patternCounts.get(code) ?? 0) + 1);
  }
  const compareMillis = performance.now() - started;

  started = performance.now();
  // Enough random pairs for stable u; on small inputs no more than there are pairs.
  const sampleSize = Math.min(options.uSampleSize ?? 200_000, Math.max(5_000, countAllPairs(records, linkOnly)));
  const u = estimateU(kinds, samplePatterns(records, sampleSize, linkOnly, options.seed ?? 1, compare));
  const names = fields.map((f) => f.name);
  const trainingPasses = () =>
    candidates.training.map((t) => {
      const counts = new Map<number, number>();
      for (let p = 0; p < t.count; p++) {
        const code = compare(t.left[p]!, t.right[p]!);
        counts.set(code, (counts.get(code) ?? 0) + 1);
      }
      return { uses: t.uses, patterns: counts };
    });
  const fitWith = (strategy: EmStrategy): FellegiSunterModel => {
    if (strategy === 'prior') return fitPriorModel(names, kinds, patternCounts, u);
    if (strategy === 'per-pass') return fitFellegiSunterByPass(names, kinds, trainingPasses(), patternCounts, u);
    const first = fitFellegiSunter(names, kinds, patternCounts, u, { fixU: strategy !== 'free' });
    return strategy === 'staged' ? fitFellegiSunter(names, kinds, patternCounts, u, { initialM: first.m, initialLambda: first.lambda }) : first;
  };
  let em = options.em ?? 'auto';
  let model: FellegiSunterModel;
  if (em === 'auto' && candidates.count < MIN_PAIRS_FOR_EM) {
    model = fitWith('prior');
    em = 'prior';
  } else if (em === 'auto') {
    // The first plausible model in this order, else the least implausible one.
    const tried: Array<{ strategy: EmStrategy; model: FellegiSunterModel }> = [];
    for (const strategy of ['free', 'staged', 'per-pass'] as const) {
      const fitted = fitWith(strategy);
      tried.push({ strategy, model: fitted });
      if (isPlausibleModel(fitted)) break;
    }
    const chosen = tried.find((t) => isPlausibleModel(t.model)) ?? [...tried].sort((a, b) => countImplausibleFields(a.model) - countImplausibleFields(b.model))[0]!;
    model = chosen.model;
    em = chosen.strategy;
  } else {
    model = fitWith(em);
  }
  model = constrainModel(model);
  // The weights compare agreement with random pairs (u), so the strict prior is the share of
  // matches among ALL pairs: the candidates were chosen for agreeing on a key, and the
  // candidates' share counts that agreement twice (a namesake's matching name passes as the
  // evidence it was blocked on). Merging without review asks for the strict reading.
  const allPairs = countAllPairs(records, linkOnly);
  // For people only: organisations have no namesakes to speak of, and a small list of
  // accounts (the demo's dozen) would otherwise never merge its plain duplicates.
  const people = givenIndex >= 0 || familyIndex >= 0;
  const strictLambda = people ? Math.min(model.lambda, Math.max(1 / Math.max(2, allPairs), (model.lambda * candidates.count) / Math.max(1, allPairs))) : model.lambda;
  const scorePattern = (code: number): PatternScore => {
    const levels = decodePattern(code, kinds);
    const weight = patternWeight(model, levels);
    const vetoed = levels.some((level, f) => VETO_LEVELS[kinds[f]!]?.includes(level) ?? false);
    const autoMergeable = levels.every((level, f) => level < 0 || level >= (AUTO_MERGE_MIN_LEVELS[kinds[f]!] ?? 0));
    return { weight, probability: vetoed ? 0 : probabilityOf(weight, model.lambda), mergeProbability: vetoed ? 0 : probabilityOf(weight, strictLambda), autoMergeable };
  };
  const scores = new Map<number, PatternScore>();
  for (const code of patternCounts.keys()) scores.set(code, scorePattern(code));
  const fit = performance.now() - started;

  return {
    records,
    model,
    left: candidates.left,
    right: candidates.right,
    patterns,
    count: candidates.count,
    stats: {
      records: records.ids.length,
      candidatePairs: candidates.count,
      allPairs,
      passes: candidates.passes,
      distinctPatterns: patternCounts.size,
      em,
      millis: { prepare, block, compare: compareMillis, fit },
    },
    strictLambda,
    scoreOf: (code) => scores.get(code) ?? scorePattern(code),
    termFrequency: createTermFrequencyAdjuster(records, model),
  };
}

export interface ScoredPair {
  a: number;
  b: number;
  weight: number;
  probability: number;
  /** Match probability with the prior of all pairs: auto-merge needs this at its threshold. */
  mergeProbability: number;
  pattern: number;
  /** False when a name or the work address disagrees: such a pair waits for review at most. */
  autoMergeable: boolean;
}

/** Candidate pairs whose match probability is at least `minProbability`, best first. */
export function selectScoredPairs(run: MatchRun, minProbability: number): ScoredPair[] {
  const out: ScoredPair[] = [];
  const tf = run.termFrequency;
  const kinds = run.model.kinds;
  for (let p = 0; p < run.count; p++) {
    const pattern = run.patterns[p]!;
    const score = run.scoreOf(pattern);
    let { weight, probability, mergeProbability } = score;
    const a = run.left[p]!;
    const b = run.right[p]!;
    // Probability 0 is a veto (two employers' work addresses), which no shared address overturns.
    if (tf.active && probability > 0) {
      weight += tf.adjustmentOf(decodePattern(pattern, kinds), a, b);
      probability = probabilityOf(weight, run.model.lambda);
      mergeProbability = probabilityOf(weight, run.strictLambda);
    }
    if (probability >= minProbability) out.push({ a, b, weight, probability, mergeProbability, pattern, autoMergeable: score.autoMergeable });
  }
  return out.sort((x, y) => y.weight - x.weight);
}

/** Per-field evidence of a pattern: level, weight and the two normalized values compared. */
export function explainPattern(run: MatchRun, pattern: number, a: number, b: number): FieldEvidence[] {
  const levels = decodePattern(pattern, run.model.kinds);
  return run.records.columns.map((column, f) => {
    const level = levels[f]!;
    return {
      field: column.spec.name,
      kind: column.spec.kind,
      level: level < 0 ? 'missing' : LEVEL_NAMES[column.spec.kind][level]!,
      weight: level < 0 ? 0 : Math.round((Math.log2(run.model.m[f]![level]! / run.model.u[f]![level]!) + run.termFrequency.fieldAdjustmentOf(f, level, a, b)) * 1000) / 1000,
      a: column.values[a]!,
      b: column.values[b]!,
    };
  });
}
