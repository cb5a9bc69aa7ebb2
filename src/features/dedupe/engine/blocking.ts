import type { PreparedColumn, PreparedRecords } from './prepare-records.ts';

/** One blocking pass: a key per record ('' = none); records sharing a key become candidates. */
export interface BlockingPass {
  name: string;
  /** The fields the key is made of (their agreement is forced in this pass's pairs). */
  uses: string[];
  keyOf(index: number): string;
}

export interface BlockingOptions {
  /**
   * Keys shared by more records than this are too common to say anything on their own
   * (gmail.com, "info", a city) and would make the cost quadratic: such a block is not
   * paired all with all but by a sorted neighbourhood (see `neighbours`), and counted.
   */
  maxBlockSize: number;
  /**
   * In a block over the size cap, each record is paired with this many records after it
   * once the block is sorted by the fields the pass does not use (for a "company + family
   * name" block: given name, email, phone, ...), so near-identical records in a large
   * block still meet at a cost linear in its size. 0 skips such blocks. Default 3.
   */
  neighbours?: number;
  /** Linking two files: only pairs of records with different sources. */
  linkOnly: boolean;
  /** Pairs kept per pass (all its pairs, also those an earlier pass found) to train the model on. */
  trainingPairsPerPass?: number;
}

export interface PassStats {
  name: string;
  keys: number;
  /** Pairs this pass added (pairs found by an earlier pass are not counted again). */
  pairs: number;
  /** Blocks over the size cap and the records in them (paired by neighbourhood, or skipped when neighbours is 0). */
  skippedBlocks: number;
  skippedRecords: number;
  /** Pairs this pass added from the sorted neighbourhood of those blocks (part of `pairs`). */
  neighbourPairs: number;
}

export interface CandidatePairs {
  left: Int32Array;
  right: Int32Array;
  count: number;
  passes: PassStats[];
  /** Per pass, a sample of every pair sharing its key: for per-pass m estimation. */
  training: Array<{ uses: string[]; left: Int32Array; right: Int32Array; count: number }>;
}

function columnOfKind(records: PreparedRecords, ...kinds: string[]): PreparedColumn[] {
  return records.columns.filter((c) => kinds.includes(c.spec.kind));
}

/** The blocking passes that suit the fields present (phonetic names, email, phone, postcode, company, domain, address). */
export function planBlockingPasses(records: PreparedRecords): BlockingPass[] {
  const passes: BlockingPass[] = [];
  const given = records.givenCodes;
  const family = records.familyCodes;
  const givenName = columnOfKind(records, 'given_name')[0]?.spec.name;
  const familyName = columnOfKind(records, 'family_name')[0]?.spec.name;
  const nameColumn = columnOfKind(records, 'name', 'company')[0];
  const familyInitial = (i: number) => (family ? family[i]!.slice(0, 2) : '');
  const familyUses = familyName ? [familyName] : [];
  if (given && family && givenName && familyName) {
    // Sorted, so that swapped first/last names share the key.
    passes.push({ name: 'name phonetic', uses: [givenName, familyName], keyOf: (i) => (given[i] && family[i] ? [given[i], family[i]].sort().join('|') : '') });
    // One name exact, the other's first letters: "Jea Moreau" meets "Jean-Luc Moreau", "Wei Zhagn"
    // meets "Wei Zhang", whose phonetic codes differ (and whose addresses share nothing).
    const givenValues = columnOfKind(records, 'given_name')[0]!.values;
    const familyValues = columnOfKind(records, 'family_name')[0]!.values;
    // A few letters, not the initial: with one, common first names make blocks of ~100
    // (near-quadratic cost). An abbreviated given name keeps its first two letters; a
    // misspelt surname (two letters swapped, one replaced) its length and, mostly, its first three.
    const key = (whole: string, other: string, part: string) => (whole.length >= 2 && part !== '' ? `${whole}|${part}` : '');
    // The given name as written: "Jac" starts like "Jack", not like its canonical "john".
    const givenWritten = columnOfKind(records, 'given_name')[0]!.secondary;
    passes.push({ name: 'family name + given name start', uses: [familyName], keyOf: (i) => key(familyValues[i]!, givenWritten[i]!, givenWritten[i]!.slice(0, 2)) });
    passes.push({
      name: 'given name + family name shape',
      uses: [givenName],
      keyOf: (i) => {
        const f = familyValues[i]!;
        return f.length >= 3 ? key(givenValues[i]!, f, `${f.slice(0, 3)}${f.length}`) : '';
      },
    });
  }
  for (const column of columnOfKind(records, 'name')) {
    passes.push({ name: `${column.spec.name} first tokens`, uses: [column.spec.name], keyOf: (i) => column.tokens[i]!.slice(0, 2).sort().join(' ') });
  }
  for (const column of columnOfKind(records, 'email')) {
    passes.push({ name: column.spec.name, uses: [column.spec.name], keyOf: (i) => column.values[i]! });
    passes.push({ name: `${column.spec.name} local part`, uses: [column.spec.name], keyOf: (i) => (column.secondary[i]!.length >= 4 ? column.secondary[i]! : '') });
  }
  for (const column of columnOfKind(records, 'phone')) passes.push({ name: `${column.spec.name} last 7 digits`, uses: [column.spec.name], keyOf: (i) => column.secondary[i]! });
  for (const column of columnOfKind(records, 'company')) {
    if (family) {
      // People at one company are colleagues, not duplicates: block on company and surname.
      passes.push({
        name: `${column.spec.name} + family name`,
        uses: [column.spec.name, ...familyUses],
        keyOf: (i) => (column.tokens[i]![0] && familyInitial(i) ? `${column.tokens[i]![0]}|${familyInitial(i)}` : ''),
      });
    } else {
      passes.push({ name: column.spec.name, uses: [column.spec.name], keyOf: (i) => column.values[i]! });
    }
  }
  for (const column of columnOfKind(records, 'domain')) {
    passes.push({
      name: `${column.spec.name}${family ? ' + family name' : ''}`,
      uses: [column.spec.name, ...familyUses],
      keyOf: (i) => (column.values[i] ? `${column.values[i]}|${familyInitial(i)}` : ''),
    });
  }
  for (const column of columnOfKind(records, 'address')) {
    passes.push({ name: column.spec.name, uses: [column.spec.name], keyOf: (i) => column.values[i]! });
    // House number and the next words: "4000 W Division" meets "4000 W. Division St".
    passes.push({ name: `${column.spec.name} first tokens`, uses: [column.spec.name], keyOf: (i) => (column.tokens[i]!.length >= 3 ? column.tokens[i]!.slice(0, 3).join(' ') : '') });
  }
  for (const column of columnOfKind(records, 'code')) {
    // Long codes (a birth date) block alone; short ones (a postcode) with a name initial.
    const initialColumn = family ? null : nameColumn;
    passes.push({
      name: column.spec.name,
      uses: [column.spec.name, ...familyUses, ...(initialColumn ? [initialColumn.spec.name] : [])],
      keyOf: (i) => {
        const v = column.values[i]!;
        if (v === '') return '';
        if (v.length >= 6) return v;
        const initial = family ? familyInitial(i) : (initialColumn?.values[i] ?? '').slice(0, 1);
        return initial ? `${v}|${initial}` : '';
      },
    });
  }
  return passes;
}

interface InternedPass {
  keyIds: Int32Array;
  sizes: Int32Array;
  /** A record's position in its sorted over-cap block (-1 in other blocks): two records within `neighbours` of each other were paired. */
  rank: Int32Array;
}

function internKeys(pass: BlockingPass, n: number): Omit<InternedPass, 'rank'> & { members: Int32Array; offsets: Int32Array } {
  const ids = new Map<string, number>();
  const keyIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = pass.keyOf(i);
    if (key === '') {
      keyIds[i] = -1;
      continue;
    }
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size;
      ids.set(key, id);
    }
    keyIds[i] = id;
  }
  const sizes = new Int32Array(ids.size);
  for (let i = 0; i < n; i++) if (keyIds[i]! >= 0) sizes[keyIds[i]!]!++;
  // Counting sort: the members of each block, in record order.
  const offsets = new Int32Array(ids.size + 1);
  for (let k = 0; k < ids.size; k++) offsets[k + 1] = offsets[k]! + sizes[k]!;
  const cursor = offsets.slice(0, ids.size);
  const members = new Int32Array(offsets[ids.size]!);
  for (let i = 0; i < n; i++) if (keyIds[i]! >= 0) members[cursor[keyIds[i]!]!++] = i;
  return { keyIds, sizes, members, offsets };
}

/**
 * The order of a large block's sorted neighbourhood: the values of the fields the pass does
 * not block on, in field order (the given name first in a "company + family name" block).
 */
function neighbourhoodKey(records: PreparedRecords, pass: BlockingPass): (index: number) => string {
  const columns = records.columns.filter((c) => !pass.uses.includes(c.spec.name));
  return (i) => columns.map((c) => c.values[i]!).join('\u0001');
}

function sortBlock(members: Int32Array, keyOf: (index: number) => string): Int32Array {
  const keys = new Map<number, string>();
  for (const m of members) keys.set(m, keyOf(m));
  // Ties keep record order, so a run is repeatable.
  return Int32Array.from(members).sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
}

class PairBuffer {
  left = new Int32Array(1024);
  right = new Int32Array(1024);
  count = 0;
  push(a: number, b: number): void {
    if (this.count === this.left.length) {
      const grow = (old: Int32Array) => {
        const next = new Int32Array(old.length * 2);
        next.set(old);
        return next;
      };
      this.left = grow(this.left);
      this.right = grow(this.right);
    }
    this.left[this.count] = a;
    this.right[this.count] = b;
    this.count++;
  }
}

/**
 * Candidate pairs from several blocking passes, each pair once. A pair is emitted by the
 * first pass in which the two records share a key (in a block no larger than
 * maxBlockSize), so no set of seen pairs is needed: memory stays linear in the pairs.
 */
export function generateCandidatePairs(records: PreparedRecords, passes: readonly BlockingPass[], options: BlockingOptions): CandidatePairs {
  const n = records.ids.length;
  const done: InternedPass[] = [];
  const out = new PairBuffer();
  const stats: PassStats[] = [];
  const neighbours = options.neighbours ?? 3;
  const seenEarlier = (a: number, b: number): boolean => {
    for (const p of done) {
      const k = p.keyIds[a]!;
      if (k < 0 || k !== p.keyIds[b]) continue;
      if (p.sizes[k]! <= options.maxBlockSize) return true;
      if (neighbours > 0 && Math.abs(p.rank[a]! - p.rank[b]!) <= neighbours) return true;
    }
    return false;
  };
  const training: CandidatePairs['training'] = [];
  let state = 0x9e3779b9;
  const random = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const emit = (a: number, b: number, stat: PassStats): boolean => {
    if (options.linkOnly && records.sources[a] === records.sources[b]) return false;
    if (seenEarlier(a, b)) return false;
    out.push(a, b);
    stat.pairs++;
    return true;
  };
  for (const pass of passes) {
    const interned = internKeys(pass, n);
    const stat: PassStats = { name: pass.name, keys: interned.sizes.length, pairs: 0, skippedBlocks: 0, skippedRecords: 0, neighbourPairs: 0 };
    const sortKeyOf = neighbourhoodKey(records, pass);
    const rank = new Int32Array(n).fill(-1);
    let passPairs = 0;
    for (let k = 0; k < interned.sizes.length; k++) {
      const size = interned.sizes[k]!;
      if (size <= options.maxBlockSize) passPairs += (size * (size - 1)) / 2;
    }
    const keepRate = Math.min(1, (options.trainingPairsPerPass ?? 50_000) / Math.max(1, passPairs));
    const sample = new PairBuffer();
    for (let k = 0; k < interned.sizes.length; k++) {
      const size = interned.sizes[k]!;
      if (size < 2) continue;
      const start = interned.offsets[k]!;
      if (size > options.maxBlockSize) {
        stat.skippedBlocks++;
        stat.skippedRecords += size;
        if (neighbours === 0) continue;
        const sorted = sortBlock(interned.members.subarray(start, start + size), sortKeyOf);
        sorted.forEach((m, position) => (rank[m] = position));
        for (let x = 0; x < sorted.length; x++) {
          for (let y = x + 1; y <= x + neighbours && y < sorted.length; y++) {
            const [a, b] = sorted[x]! < sorted[y]! ? [sorted[x]!, sorted[y]!] : [sorted[y]!, sorted[x]!];
            if (emit(a, b, stat)) stat.neighbourPairs++;
          }
        }
        continue;
      }
      for (let x = start; x < start + size; x++) {
        const a = interned.members[x]!;
        for (let y = x + 1; y < start + size; y++) {
          const b = interned.members[y]!;
          if (options.linkOnly && records.sources[a] === records.sources[b]) continue;
          if (keepRate === 1 || random() < keepRate) sample.push(a, b);
          emit(a, b, stat);
        }
      }
    }
    done.push({ keyIds: interned.keyIds, sizes: interned.sizes, rank });
    stats.push(stat);
    training.push({ uses: pass.uses, left: sample.left, right: sample.right, count: sample.count });
  }
  return { left: out.left, right: out.right, count: out.count, passes: stats, training };
}
