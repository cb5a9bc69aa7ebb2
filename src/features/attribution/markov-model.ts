import { createSeededStream } from './seeded-stream.ts';
import { AppError } from '../../platform/errors.ts';
import { emptyCredits, type ChannelCredits } from './credits.ts';
import { buildAbsorbingChain, type AbsorbingChain } from './markov-chain.ts';
import { DIRECT_SOLVE_LIMIT, solveAbsorption } from './markov-solver.ts';
import type { PathTable } from './path-table.ts';

export interface MarkovOptions {
  order?: number;
  /** Estimate by random walks instead of solving exactly (ChannelAttribution's way). */
  simulations?: number;
  seed?: number;
}

/**
 * Markov-chain attribution with removal effects. Removing a channel removes every state
 * that contains it (walks reaching it go to null). removal_effect = 1 - P(conv without
 * it) / P(conv); conversions are credited by removal effects normalised to the total.
 * Value uses the same removal on the expected value, where a conversion from state s is
 * worth the mean value per conversion of journeys whose last state is s.
 */
export function attributeMarkov(table: PathTable, options: MarkovOptions = {}): ChannelCredits {
  const chain = buildAbsorbingChain(table, options.order ?? 1);
  const C = table.channels.length;
  const credits = emptyCredits('markov', table.channels);
  const effects = options.simulations === undefined ? exactEffects(chain, C, credits) : simulatedEffects(chain, C, options.simulations, options.seed ?? 1, credits);
  credits.removalEffect = effects.conversion;
  spread(effects.conversion, chain.totalConversions, credits.conversions);
  spread(effects.value, chain.totalValue, credits.value);
  credits.notes.states = chain.stateCount;
  credits.notes.order = chain.order;
  return credits;
}

interface Effects {
  conversion: Float64Array;
  value: Float64Array;
}

function removedStates(chain: AbsorbingChain, channel: number): Uint8Array {
  const removed = new Uint8Array(chain.stateCount + 1);
  for (let s = 1; s <= chain.stateCount; s++) {
    for (let k = chain.stateChannelOffsets[s]!; k < chain.stateChannelOffsets[s + 1]!; k++) {
      if (chain.stateChannels[k] === channel) {
        removed[s] = 1;
        break;
      }
    }
  }
  return removed;
}

function exactEffects(chain: AbsorbingChain, C: number, credits: ChannelCredits): Effects {
  const full = solveAbsorption(chain, new Uint8Array(chain.stateCount + 1));
  const conversion = new Float64Array(C);
  const value = new Float64Array(C);
  let sweeps = full.iterations;
  let residual = full.residual;
  for (let c = 0; c < C; c++) {
    const without = solveAbsorption(chain, removedStates(chain, c));
    conversion[c] = full.conversion > 0 ? 1 - without.conversion / full.conversion : 0;
    value[c] = full.value > 0 ? 1 - without.value / full.value : 0;
    sweeps = Math.max(sweeps, without.iterations);
    residual = Math.max(residual, without.residual);
  }
  credits.notes.solver = chain.stateCount <= DIRECT_SOLVE_LIMIT ? 'dense Gaussian elimination' : 'sparse Gauss-Seidel';
  credits.notes.max_sweeps = sweeps;
  credits.notes.max_residual = residual;
  credits.notes.p_conversion = full.conversion;
  return { conversion, value };
}

function spread(effects: Float64Array, total: number, into: Float64Array): void {
  let sum = 0;
  for (const e of effects) sum += e;
  if (sum <= 0) return;
  for (let c = 0; c < effects.length; c++) into[c] = (effects[c]! / sum) * total;
}

/** Random walks from the start; a channel's removal counts the walks that never met it. */
function simulatedEffects(chain: AbsorbingChain, C: number, walks: number, seed: number, credits: ChannelCredits): Effects {
  if (!Number.isInteger(walks) || walks < 1) throw new AppError('invalid', `simulations must be a positive integer, got ${walks}`);
  const random = createSeededStream(seed);
  const seen = new Uint8Array(C);
  const convWithout = new Float64Array(C);
  const valueWithout = new Float64Array(C);
  let conv = 0;
  let value = 0;
  for (let w = 0; w < walks; w++) {
    seen.fill(0);
    const end = walk(chain, random, seen);
    if (end < 0) continue;
    const v = chain.valuePerConversion[end]!;
    conv++;
    value += v;
    for (let c = 0; c < C; c++) {
      if (seen[c]) continue;
      convWithout[c]!++;
      valueWithout[c]! += v;
    }
  }
  const conversion = new Float64Array(C);
  const valueEffects = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    conversion[c] = conv > 0 ? 1 - convWithout[c]! / conv : 0;
    valueEffects[c] = value > 0 ? 1 - valueWithout[c]! / value : 0;
  }
  credits.notes.solver = `simulation (${walks} walks, seed ${seed})`;
  credits.notes.p_conversion = conv / walks;
  return { conversion, value: valueEffects };
}

/** One walk; returns the last state if it converted, -1 if it ended in null. */
function walk(chain: AbsorbingChain, random: () => number, seen: Uint8Array): number {
  let s = pick(chain, 0, random());
  if (s < 0) return -1;
  for (;;) {
    for (let k = chain.stateChannelOffsets[s]!; k < chain.stateChannelOffsets[s + 1]!; k++) seen[chain.stateChannels[k]!] = 1;
    let u = random();
    if (u < chain.toConversion[s]!) return s;
    u -= chain.toConversion[s]!;
    const next = pick(chain, s, u);
    if (next < 0) return -1;
    s = next;
  }
}

function pick(chain: AbsorbingChain, s: number, u: number): number {
  for (let k = chain.rowOffsets[s]!; k < chain.rowOffsets[s + 1]!; k++) {
    if (u < chain.probs[k]!) return chain.cols[k]!;
    u -= chain.probs[k]!;
  }
  return -1;
}
