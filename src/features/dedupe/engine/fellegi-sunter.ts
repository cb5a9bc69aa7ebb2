import { decodePattern } from './compare-fields.ts';
import { DISAGREEMENT_LEVELS, levelCountOf, MAX_M, type FieldKind } from './field-spec.ts';

/**
 * A Fellegi-Sunter model: for each field and comparison level, m = P(level | same entity)
 * and u = P(level | different entities); a pair's match weight is the sum over its
 * non-missing fields of log2(m / u), and its probability adds the prior `lambda`.
 */
export interface FellegiSunterModel {
  fields: string[];
  kinds: FieldKind[];
  m: number[][];
  u: number[][];
  /** Share of true matches among the candidate pairs, estimated by EM. */
  lambda: number;
  iterations: number;
  converged: boolean;
}

const FLOOR = 1e-6;

/** u from comparisons of random record pairs (nearly all non-matches), add-half smoothed. */
export function estimateU(kinds: readonly FieldKind[], randomPatterns: ReadonlyMap<number, number>): number[][] {
  const counts = kinds.map((k) => new Array<number>(levelCountOf(k)).fill(0.5));
  for (const [code, count] of randomPatterns) {
    decodePattern(code, kinds).forEach((level, f) => {
      if (level >= 0) counts[f]![level]! += count;
    });
  }
  return counts.map((row) => {
    const total = row.reduce((s, x) => s + x, 0);
    return row.map((x) => Math.max(FLOOR, x / total));
  });
}

function initialM(kinds: readonly FieldKind[]): number[][] {
  // Start from "matches mostly agree exactly": EM moves it to what the data says.
  return kinds.map((k) => {
    const levels = levelCountOf(k);
    const row = new Array<number>(levels).fill(0.1 / Math.max(1, levels - 1));
    row[levels - 1] = 0.9;
    return row;
  });
}

export function patternWeight(model: Pick<FellegiSunterModel, 'm' | 'u' | 'kinds'>, levels: readonly number[]): number {
  let weight = 0;
  for (let f = 0; f < levels.length; f++) {
    const level = levels[f]!;
    if (level >= 0) weight += Math.log2(model.m[f]![level]! / model.u[f]![level]!);
  }
  return weight;
}

export function probabilityOf(weight: number, lambda: number): number {
  const priorOdds = Math.log2(lambda / (1 - lambda));
  return 1 / (1 + 2 ** -(weight + priorOdds));
}

/**
 * Estimates m and lambda by expectation-maximisation over the candidate pairs' comparison
 * patterns, with u held at the random-pair estimate (which anchors the two classes).
 */
export function fitFellegiSunter(
  fields: string[],
  kinds: FieldKind[],
  candidatePatterns: ReadonlyMap<number, number>,
  initialU: number[][],
  options: { maxIterations?: number; tolerance?: number; fixU?: boolean; initialM?: number[][]; initialLambda?: number } = {},
): FellegiSunterModel {
  const patterns = [...candidatePatterns].map(([code, count]) => ({ levels: decodePattern(code, kinds), count }));
  let m = options.initialM ?? initialM(kinds);
  let u = initialU;
  let lambda = options.initialLambda ?? 0.1;
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-7;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const sums = kinds.map((k) => new Array<number>(levelCountOf(k)).fill(0));
    const nonSums = kinds.map((k) => new Array<number>(levelCountOf(k)).fill(0));
    let matchMass = 0;
    let total = 0;
    for (const { levels, count } of patterns) {
      const p = probabilityOf(patternWeight({ m, u, kinds }, levels), lambda);
      matchMass += p * count;
      total += count;
      levels.forEach((level, f) => {
        if (level >= 0) {
          sums[f]![level]! += p * count;
          nonSums[f]![level]! += (1 - p) * count;
        }
      });
    }
    const normalize = (row: number[]) => {
      const rowTotal = row.reduce((s, x) => s + x, 0);
      return row.map((x) => (rowTotal > 0 ? Math.max(FLOOR, x / rowTotal) : 1 / row.length));
    };
    if (!options.fixU) u = nonSums.map((row, f) => (row.reduce((s, x) => s + x, 0) > 0 ? normalize(row) : u[f]!));
    // Constrained EM: each step keeps disagreement from counting for a match (see constrainModel).
    const nextM = constrainM(kinds, sums.map(normalize), u);
    const nextLambda = Math.min(1 - FLOOR, Math.max(FLOOR, matchMass / Math.max(1, total)));
    const change = Math.max(Math.abs(nextLambda - lambda), ...nextM.flatMap((row, f) => row.map((x, l) => Math.abs(x - m[f]![l]!))));
    m = nextM;
    lambda = nextLambda;
    if (change < tolerance) return { fields, kinds, m, u, lambda, iterations: iteration, converged: true };
  }
  return { fields, kinds, m, u, lambda, iterations: maxIterations, converged: false };
}

export interface PassPatterns {
  /** Fields the pass blocked on: always agreeing in its pairs, so their m is not learnt there. */
  uses: readonly string[];
  patterns: ReadonlyMap<number, number>;
}

/**
 * Estimates m per blocking pass and averages it (the approach of Splink): in the pairs of
 * a pass keyed on the phone, phone agreement says nothing about matches, so the phone's m
 * is learnt from the other passes only. Without this, EM over all candidates tends to
 * call "shares the blocking key" a match (colleagues at one company, sites in one zip).
 * u stays at the random-pair estimate; lambda is then fitted over all candidates.
 */
export function fitFellegiSunterByPass(
  fields: string[],
  kinds: FieldKind[],
  passes: readonly PassPatterns[],
  allPatterns: ReadonlyMap<number, number>,
  u: number[][],
): FellegiSunterModel {
  const sums = kinds.map((k) => new Array<number>(levelCountOf(k)).fill(0));
  const counts = kinds.map(() => 0);
  let iterations = 0;
  for (const pass of passes) {
    if (pass.patterns.size === 0) continue;
    const model = fitFellegiSunter(fields, kinds, pass.patterns, u, { fixU: true });
    iterations += model.iterations;
    fields.forEach((field, f) => {
      if (pass.uses.includes(field)) return;
      model.m[f]!.forEach((x, l) => (sums[f]![l]! += x));
      counts[f]!++;
    });
  }
  const fallback = initialM(kinds);
  const m = sums.map((row, f) => (counts[f]! > 0 ? row.map((x) => x / counts[f]!) : fallback[f]!));
  return { ...fitLambda(fields, kinds, m, u, allPatterns), iterations };
}

/**
 * A model from prior m (matches mostly agree exactly) and u of random pairs, with only
 * lambda fitted: for inputs too small for EM to learn m from (a few hundred records).
 */
export function fitPriorModel(fields: string[], kinds: FieldKind[], allPatterns: ReadonlyMap<number, number>, u: number[][]): FellegiSunterModel {
  return fitLambda(fields, kinds, initialM(kinds), u, allPatterns);
}

function fitLambda(fields: string[], kinds: FieldKind[], m: number[][], u: number[][], allPatterns: ReadonlyMap<number, number>): FellegiSunterModel {
  const patterns = [...allPatterns].map(([code, count]) => ({ weight: patternWeight({ m, u, kinds }, decodePattern(code, kinds)), count }));
  let lambda = 0.1;
  let converged = false;
  let iterations = 0;
  while (iterations < 200 && !converged) {
    iterations++;
    let mass = 0;
    let total = 0;
    for (const { weight, count } of patterns) {
      mass += probabilityOf(weight, lambda) * count;
      total += count;
    }
    const next = Math.min(1 - FLOOR, Math.max(FLOOR, mass / Math.max(1, total)));
    converged = Math.abs(next - lambda) < 1e-9;
    lambda = next;
  }
  return { fields, kinds, m, u, lambda, iterations, converged };
}

/**
 * EM finds the two classes that best explain the data, which is not always "same entity /
 * different": it can split the candidates into "same street / different street". A model
 * of matches agrees exactly more often than non-matches on a field; the count of fields
 * where it does not is the model's implausibility. Blocking explains some: candidates were
 * chosen for agreeing on a key, so colleagues (non-matches) agree on the company more
 * often than duplicates with a free-mail address do. Hence one field in four may dissent.
 */
export function countImplausibleFields(model: FellegiSunterModel): number {
  // <=: constrained EM holds exact agreement at m = u (weight 0) where it would have gone below.
  return model.m.filter((row, f) => row[row.length - 1]! <= model.u[f]![row.length - 1]!).length;
}

export function isPlausibleModel(model: FellegiSunterModel): boolean {
  return model.lambda < 0.99 && countImplausibleFields(model) <= Math.floor(model.m.length / 4);
}

/**
 * The fitted model with each field's weights kept on the side their level stands for: a
 * disagreement level (DISAGREEMENT_LEVELS) never adds to the match weight (m <= u) and
 * exact agreement never subtracts from it (m >= u). Rows of m then no longer sum to 1; the
 * weights are what the score reads.
 */
export function constrainModel(model: FellegiSunterModel): FellegiSunterModel {
  return { ...model, m: constrainM(model.kinds, model.m, model.u) };
}

function constrainM(kinds: readonly FieldKind[], m: number[][], u: number[][]): number[][] {
  return m.map((row, f) => {
    const disagreements = DISAGREEMENT_LEVELS[kinds[f]!];
    const caps = MAX_M[kinds[f]!];
    return row.map((x, level) => {
      if (disagreements.includes(level)) return Math.min(x, u[f]![level]!, caps?.[level] ?? 1);
      return level === row.length - 1 ? Math.max(x, u[f]![level]!) : x;
    });
  });
}
