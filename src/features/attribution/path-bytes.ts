import type { PathTableBuilder } from './path-table.ts';

const COMMA = 44;
const QUOTE = 34;
const GT = 62;
const SPACE = 32;
const TAB = 9;
const ZERO = 48;
const NINE = 57;

/**
 * Channel ids straight from the bytes of a path field, without making a string per touch:
 * names are hashed (FNV-1a) and checked byte by byte against the name they stand for.
 */
export class ChannelByteIndex {
  private readonly byHash = new Map<number, Array<{ bytes: Buffer; id: number }>>();

  constructor(private readonly builder: PathTableBuilder) {}

  idOf(buf: Buffer, start: number, end: number): number {
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
    const key = (hash >>> 0) * 64 + Math.min(end - start, 63);
    let bucket = this.byHash.get(key);
    if (bucket) {
      for (const entry of bucket) if (sameBytes(entry.bytes, buf, start, end)) return entry.id;
    } else {
      bucket = [];
      this.byHash.set(key, bucket);
    }
    const bytes = Buffer.from(buf.subarray(start, end));
    const id = this.builder.internChannel(bytes.toString('utf8'));
    bucket.push({ bytes, id });
    return id;
  }
}

function sameBytes(a: Buffer, buf: Buffer, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}

/** Pushes the touches of a ` > `-separated path field; returns false on an empty channel. */
export function pushPathBytes(buf: Buffer, start: number, end: number, index: ChannelByteIndex, builder: PathTableBuilder): boolean {
  let from = start;
  for (;;) {
    let to = from;
    while (to < end && buf[to] !== GT) to++;
    let a = from;
    let b = to;
    while (a < b && (buf[a] === SPACE || buf[a] === TAB)) a++;
    while (b > a && (buf[b - 1] === SPACE || buf[b - 1] === TAB)) b--;
    if (a === b) return false;
    builder.pushTouch(index.idOf(buf, a, b));
    if (to >= end) return true;
    from = to + 1;
  }
}

/** Field boundaries of one line: starts[i]..ends[i]; the field count, or -1 if it holds a quote. */
export function splitFields(buf: Buffer, start: number, end: number, starts: Int32Array, ends: Int32Array): number {
  let n = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    if (buf[i] === QUOTE) return -1;
    if (buf[i] !== COMMA) continue;
    if (n < starts.length) {
      starts[n] = from;
      ends[n] = i;
    }
    n++;
    from = i + 1;
  }
  if (n < starts.length) {
    starts[n] = from;
    ends[n] = end;
  }
  return n + 1;
}

/** A number field: plain digits without making a string, anything else through Number(). */
export function parseNumberBytes(buf: Buffer, start: number, end: number): number {
  let a = start;
  let b = end;
  while (a < b && buf[a] === SPACE) a++;
  while (b > a && buf[b - 1] === SPACE) b--;
  if (a === b) return NaN;
  let whole = 0;
  let i = a;
  for (; i < b; i++) {
    const c = buf[i]!;
    if (c < ZERO || c > NINE) break;
    whole = whole * 10 + (c - ZERO);
  }
  if (i === b && b - a < 16) return whole;
  return Number(buf.toString('latin1', a, b));
}
