import { AppError } from '../../platform/errors.ts';
import type { AbsorbingChain } from './markov-chain.ts';

/** P(conversion) and expected conversion value from the start, with some states removed. */
export interface Absorption {
  conversion: number;
  value: number;
  iterations: number;
  residual: number;
}

/** Chains up to this many states are solved directly (dense LU); larger ones iteratively. */
export const DIRECT_SOLVE_LIMIT = 300;
const TOLERANCE = 1e-15;
const MAX_SWEEPS = 200_000;

/**
 * Solves h = r + Q h (absorption into conversion, from each transient state) and
 * g = r·v + Q g (expected value) with `removed` states held at 0, and returns them at the
 * start state. Small chains: Gaussian elimination with partial pivoting (exact up to
 * rounding). Large chains (order >= 3): Gauss-Seidel sweeps over the sparse rows until no
 * entry moves by more than 1e-15 relative; I - Q is a nonsingular M-matrix (every state
 * reaches an absorbing one), so the sweeps converge monotonically from 0, each costs one pass
 * over the non-zeros, and no fill-in arises (a direct LU of an order-3/4 chain's
 * de Bruijn-like graph fills in to near-dense).
 */
export function solveAbsorption(chain: AbsorbingChain, removed: Uint8Array, method: 'auto' | 'dense' | 'gauss-seidel' = 'auto'): Absorption {
  const dense = method === 'dense' || (method === 'auto' && chain.stateCount <= DIRECT_SOLVE_LIMIT);
  return dense ? solveDense(chain, removed) : solveGaussSeidel(chain, removed);
}

function startValue(chain: AbsorbingChain, removed: Uint8Array, h: Float64Array, g: Float64Array): { conversion: number; value: number } {
  let conversion = 0;
  let value = 0;
  for (let k = chain.rowOffsets[0]!; k < chain.rowOffsets[1]!; k++) {
    const t = chain.cols[k]!;
    if (removed[t]) continue;
    conversion += chain.probs[k]! * h[t]!;
    value += chain.probs[k]! * g[t]!;
  }
  return { conversion, value };
}

function solveGaussSeidel(chain: AbsorbingChain, removed: Uint8Array): Absorption {
  const S = chain.stateCount;
  const { rowOffsets, cols, probs, toConversion, valuePerConversion } = chain;
  const h = new Float64Array(S + 1);
  const g = new Float64Array(S + 1);
  let sweeps = 0;
  let change = Infinity;
  while (change > TOLERANCE && sweeps < MAX_SWEEPS) {
    change = 0;
    for (let s = S; s >= 1; s--) {
      if (removed[s]) continue;
      let hs = toConversion[s]!;
      let gs = hs * valuePerConversion[s]!;
      for (let k = rowOffsets[s]!; k < rowOffsets[s + 1]!; k++) {
        const t = cols[k]!;
        hs += probs[k]! * h[t]!;
        gs += probs[k]! * g[t]!;
      }
      const dh = Math.abs(hs - h[s]!) / (hs || 1);
      const dg = Math.abs(gs - g[s]!) / (gs || 1);
      if (dh > change) change = dh;
      if (dg > change) change = dg;
      h[s] = hs;
      g[s] = gs;
    }
    sweeps++;
  }
  if (change > TOLERANCE * 1e3) throw new AppError('internal', `Markov solver did not converge in ${MAX_SWEEPS} sweeps (last relative change ${change})`);
  return { ...startValue(chain, removed, h, g), iterations: sweeps, residual: residualOf(chain, removed, h) };
}

/** max |h - r - Q h| over kept states: how far the answer is from solving the system. */
function residualOf(chain: AbsorbingChain, removed: Uint8Array, h: Float64Array): number {
  let worst = 0;
  for (let s = 1; s <= chain.stateCount; s++) {
    if (removed[s]) continue;
    let r = chain.toConversion[s]! - h[s]!;
    for (let k = chain.rowOffsets[s]!; k < chain.rowOffsets[s + 1]!; k++) if (!removed[chain.cols[k]!]) r += chain.probs[k]! * h[chain.cols[k]!]!;
    worst = Math.max(worst, Math.abs(r));
  }
  return worst;
}

function solveDense(chain: AbsorbingChain, removed: Uint8Array): Absorption {
  const S = chain.stateCount;
  const index = new Int32Array(S + 1).fill(-1);
  let m = 0;
  for (let s = 1; s <= S; s++) if (!removed[s]) index[s] = m++;
  // Augmented [I - Q | r | r·v], row-major.
  const width = m + 2;
  const a = new Float64Array(m * width);
  for (let s = 1; s <= S; s++) {
    const i = index[s]!;
    if (i < 0) continue;
    a[i * width + i] = 1;
    for (let k = chain.rowOffsets[s]!; k < chain.rowOffsets[s + 1]!; k++) {
      const j = index[chain.cols[k]!]!;
      if (j >= 0) a[i * width + j]! -= chain.probs[k]!;
    }
    a[i * width + m] = chain.toConversion[s]!;
    a[i * width + m + 1] = chain.toConversion[s]! * chain.valuePerConversion[s]!;
  }
  eliminate(a, m, width);
  const h = new Float64Array(S + 1);
  const g = new Float64Array(S + 1);
  for (let s = 1; s <= S; s++) {
    const i = index[s]!;
    if (i < 0) continue;
    h[s] = a[i * width + m]!;
    g[s] = a[i * width + m + 1]!;
  }
  return { ...startValue(chain, removed, h, g), iterations: 1, residual: residualOf(chain, removed, h) };
}

/** Gauss-Jordan elimination with partial pivoting; leaves the solutions in the last columns. */
function eliminate(a: Float64Array, m: number, width: number): void {
  for (let col = 0; col < m; col++) {
    let pivot = col;
    for (let r = col + 1; r < m; r++) if (Math.abs(a[r * width + col]!) > Math.abs(a[pivot * width + col]!)) pivot = r;
    if (pivot !== col) {
      for (let c = col; c < width; c++) {
        const tmp = a[col * width + c]!;
        a[col * width + c] = a[pivot * width + c]!;
        a[pivot * width + c] = tmp;
      }
    }
    const p = a[col * width + col]!;
    for (let c = col; c < width; c++) a[col * width + c]! /= p;
    for (let r = 0; r < m; r++) {
      const f = a[r * width + col]!;
      if (r === col || f === 0) continue;
      for (let c = col; c < width; c++) a[r * width + c]! -= f * a[col * width + c]!;
    }
  }
}
