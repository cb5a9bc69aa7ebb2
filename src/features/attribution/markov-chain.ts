import { AppError } from '../../platform/errors.ts';
import type { PathTable } from './path-table.ts';

/**
 * The absorbing Markov chain of a path table, ChannelAttribution's conventions:
 * an order-k state is a window of k consecutive touches (a path shorter than k is one
 * state); consecutive identical states collapse; each path weighs its transitions by its
 * conversions + nulls; the last state goes to conversion (weight: conversions) and null
 * (weight: nulls). Transient states are 1..S (0 is the start); transitions in CSR form.
 */
export interface AbsorbingChain {
  order: number;
  stateCount: number;
  /** Channel ids of each state (1..S), as a CSR list. */
  stateChannelOffsets: Int32Array;
  stateChannels: Uint16Array;
  rowOffsets: Int32Array;
  cols: Int32Array;
  probs: Float64Array;
  toConversion: Float64Array;
  /** Mean conversion value of journeys whose last state is this one (0 without conversions). */
  valuePerConversion: Float64Array;
  totalConversions: number;
  totalValue: number;
}

/** Builds the chain in two passes: state ids per path, then transition weights. */
export function buildAbsorbingChain(table: PathTable, order: number): AbsorbingChain {
  if (!Number.isInteger(order) || order < 1 || order > 4) throw new AppError('invalid', `order must be an integer from 1 to 4, got ${order}`);
  const C = table.channels.length;
  const base = C + 1;
  if (Math.pow(base, order) > 2 ** 52) throw new AppError('invalid', `order ${order} with ${C} channels has too many possible states`);
  const states = assignStates(table, order, base);
  const S = states.keys.length;
  // A transition s -> t is keyed by t's last channel: windows shift by one touch.
  const edge = new Float64Array((S + 1) * C);
  const edgeTarget = new Int32Array((S + 1) * C).fill(-1);
  const startWeight = new Float64Array(S + 1);
  const lastConv = new Float64Array(S + 1);
  const lastNull = new Float64Array(S + 1);
  const lastValue = new Float64Array(S + 1);
  const { seq, seqOffsets, lastChannelOf } = states;
  let totalConversions = 0;
  let totalValue = 0;
  for (let p = 0; p < table.pathCount; p++) {
    const w = table.conversions[p]! + table.nulls[p]!;
    totalConversions += table.conversions[p]!;
    totalValue += table.values[p]!;
    const a = seqOffsets[p]!;
    const b = seqOffsets[p + 1]!;
    if (w === 0 || a === b) continue;
    startWeight[seq[a]!]! += w;
    for (let i = a; i + 1 < b; i++) {
      const to = seq[i + 1]!;
      const k = seq[i]! * C + lastChannelOf[to]!;
      edge[k]! += w;
      edgeTarget[k] = to;
    }
    const last = seq[b - 1]!;
    lastConv[last]! += table.conversions[p]!;
    lastNull[last]! += table.nulls[p]!;
    lastValue[last]! += table.values[p]!;
  }
  return toCsr(order, states, { edge, edgeTarget, startWeight, lastConv, lastNull, lastValue, C, totalConversions, totalValue });
}

interface States {
  keys: number[];
  seq: Int32Array;
  seqOffsets: Int32Array;
  lastChannelOf: Int32Array;
  stateChannelOffsets: Int32Array;
  stateChannels: Uint16Array;
}

function assignStates(table: PathTable, order: number, base: number): States {
  const ids = new Map<number, number>();
  const keys: number[] = [0];
  const lastChannel: number[] = [-1];
  const channelsOf: number[][] = [[]];
  const seq = new Int32Array(table.touches.length);
  const seqOffsets = new Int32Array(table.pathCount + 1);
  const { offsets, touches } = table;
  let n = 0;
  for (let p = 0; p < table.pathCount; p++) {
    const start = offsets[p]!;
    const len = offsets[p + 1]! - start;
    const windows = len === 0 ? 0 : len < order ? 1 : len - order + 1;
    const width = len < order ? len : order;
    let previous = -1;
    for (let j = 0; j < windows; j++) {
      let key = 0;
      for (let i = 0; i < width; i++) key = key * base + touches[start + j + i]! + 1;
      let id = ids.get(key);
      if (id === undefined) {
        id = keys.length;
        ids.set(key, id);
        keys.push(key);
        lastChannel.push(touches[start + j + width - 1]!);
        channelsOf.push(Array.from(touches.subarray(start + j, start + j + width)));
      }
      if (id !== previous) seq[n++] = id;
      previous = id;
    }
    seqOffsets[p + 1] = n;
  }
  const stateChannelOffsets = new Int32Array(keys.length + 1);
  channelsOf.forEach((c, i) => (stateChannelOffsets[i + 1] = stateChannelOffsets[i]! + c.length));
  return { keys: keys.slice(1), seq, seqOffsets, lastChannelOf: Int32Array.from(lastChannel), stateChannelOffsets, stateChannels: Uint16Array.from(channelsOf.flat()) };
}

interface Counts {
  edge: Float64Array;
  edgeTarget: Int32Array;
  startWeight: Float64Array;
  lastConv: Float64Array;
  lastNull: Float64Array;
  lastValue: Float64Array;
  C: number;
  totalConversions: number;
  totalValue: number;
}

function toCsr(order: number, states: States, counts: Counts): AbsorbingChain {
  const S = states.keys.length;
  const { edge, edgeTarget, startWeight, lastConv, lastNull, lastValue, C } = counts;
  const rowOffsets = new Int32Array(S + 2);
  const cols: number[] = [];
  const probs: number[] = [];
  const toConversion = new Float64Array(S + 1);
  const valuePerConversion = new Float64Array(S + 1);
  let startTotal = 0;
  for (let s = 1; s <= S; s++) startTotal += startWeight[s]!;
  for (let s = 1; s <= S; s++) {
    if (startWeight[s]! === 0) continue;
    cols.push(s);
    probs.push(startWeight[s]! / startTotal);
  }
  rowOffsets[1] = cols.length;
  for (let s = 1; s <= S; s++) {
    let out = lastConv[s]! + lastNull[s]!;
    for (let c = 0; c < C; c++) out += edge[s * C + c]!;
    if (out > 0) {
      for (let c = 0; c < C; c++) {
        const w = edge[s * C + c]!;
        if (w === 0) continue;
        cols.push(edgeTarget[s * C + c]!);
        probs.push(w / out);
      }
      toConversion[s] = lastConv[s]! / out;
    }
    if (lastConv[s]! > 0) valuePerConversion[s] = lastValue[s]! / lastConv[s]!;
    rowOffsets[s + 1] = cols.length;
  }
  return {
    order,
    stateCount: S,
    stateChannelOffsets: states.stateChannelOffsets,
    stateChannels: states.stateChannels,
    rowOffsets,
    cols: Int32Array.from(cols),
    probs: Float64Array.from(probs),
    toConversion,
    valuePerConversion,
    totalConversions: counts.totalConversions,
    totalValue: counts.totalValue,
  };
}
