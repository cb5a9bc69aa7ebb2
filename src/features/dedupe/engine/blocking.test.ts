import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCandidatePairs, planBlockingPasses } from './blocking.ts';
import type { FieldSpec, InputRecord } from './field-spec.ts';
import { prepareRecords } from './prepare-records.ts';

const FIELDS: FieldSpec[] = [
  { name: 'first', kind: 'given_name' },
  { name: 'last', kind: 'family_name' },
  { name: 'email', kind: 'email' },
  { name: 'phone', kind: 'phone' },
  { name: 'zip', kind: 'code' },
];

// Small alphabets so that records collide on keys often.
const recordArb = fc.record({
  first: fc.constantFrom('ann', 'anne', 'bob', 'robert', '', 'li'),
  last: fc.constantFrom('smith', 'smyth', 'jones', '', 'li'),
  email: fc.constantFrom('a@x.com', 'bob@gmail.com', 'anne.smith@acme.com', '', 'not-an-email'),
  phone: fc.constantFrom('+1 415 555 0101', '4155550101', '020 7946 0000', ''),
  zip: fc.constantFrom('2000', '2001', '19560409', ''),
});

describe('blocking', () => {
  it('makes every pair that shares a key (in a block under the size cap) a candidate, exactly once', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 2, maxLength: 40 }), fc.integer({ min: 2, max: 12 }), (rows, maxBlockSize) => {
        const records = prepareRecords(rows.map((values, i): InputRecord => ({ id: String(i), values })), FIELDS);
        const passes = planBlockingPasses(records);
        const candidates = generateCandidatePairs(records, passes, { maxBlockSize, linkOnly: false });
        const got = new Set<string>();
        for (let p = 0; p < candidates.count; p++) {
          const key = `${candidates.left[p]}-${candidates.right[p]}`;
          expect(got.has(key), `pair ${key} emitted twice`).toBe(false);
          expect(candidates.left[p]!).toBeLessThan(candidates.right[p]!);
          got.add(key);
        }
        for (const pass of passes) {
          const sizes = new Map<string, number>();
          for (let i = 0; i < rows.length; i++) {
            const k = pass.keyOf(i);
            if (k !== '') sizes.set(k, (sizes.get(k) ?? 0) + 1);
          }
          for (let i = 0; i < rows.length; i++) {
            for (let j = i + 1; j < rows.length; j++) {
              const k = pass.keyOf(i);
              if (k !== '' && k === pass.keyOf(j) && sizes.get(k)! <= maxBlockSize) expect(got.has(`${i}-${j}`), `${pass.name} ${k}`).toBe(true);
            }
          }
        }
        // And nothing else: every candidate shares at least one key.
        for (const key of got) {
          const [i, j] = key.split('-').map(Number) as [number, number];
          expect(passes.some((p) => p.keyOf(i) !== '' && p.keyOf(i) === p.keyOf(j))).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('pairs only records of different sources when linking two files', () => {
    const rows: InputRecord[] = [0, 1, 2, 3].map((i) => ({ id: String(i), source: i % 2, values: { first: 'ann', last: 'smith', email: '', phone: '', zip: '' } }));
    const records = prepareRecords(rows, FIELDS);
    const candidates = generateCandidatePairs(records, planBlockingPasses(records), { maxBlockSize: 10, linkOnly: true });
    expect(candidates.count).toBe(4);
    for (let p = 0; p < candidates.count; p++) expect(records.sources[candidates.left[p]!]).not.toBe(records.sources[candidates.right[p]!]);
  });

  it('skips and counts blocks over the size cap when no neighbourhood is asked for (a key shared by everyone says nothing)', () => {
    const rows: InputRecord[] = Array.from({ length: 30 }, (_, i) => ({ id: String(i), values: { first: `n${i}x`, last: `q${i}z`, email: '', phone: '', zip: '19560409' } }));
    const records = prepareRecords(rows, FIELDS);
    const candidates = generateCandidatePairs(records, planBlockingPasses(records), { maxBlockSize: 20, linkOnly: false, neighbours: 0 });
    expect(candidates.count).toBe(0);
    expect(candidates.passes.find((p) => p.name === 'zip')).toMatchObject({ skippedBlocks: 1, skippedRecords: 30, neighbourPairs: 0 });
  });

  it('pairs a block over the size cap by sorted neighbourhood: linear in its size, near-identical records meet', () => {
    // 41 records share a postcode (one block over the cap); two of them carry the same tag.
    const fields: FieldSpec[] = [{ name: 'zip', kind: 'code' }, { name: 'tag', kind: 'exact' }];
    const rows: InputRecord[] = Array.from({ length: 40 }, (_, i) => ({ id: String(i), values: { zip: '19560409', tag: `t${String(i).padStart(2, '0')}` } }));
    rows.push({ id: 'dup', values: { zip: '19560409', tag: 't17' } });
    const records = prepareRecords(rows, fields);
    const pairsWith = (neighbours: number) => {
      const candidates = generateCandidatePairs(records, planBlockingPasses(records), { maxBlockSize: 20, linkOnly: false, neighbours });
      const pairs = new Set<string>();
      for (let p = 0; p < candidates.count; p++) pairs.add(`${records.ids[candidates.left[p]!]}|${records.ids[candidates.right[p]!]}`);
      return { pairs, zip: candidates.passes.find((p) => p.name === 'zip')! };
    };
    const near = pairsWith(3);
    expect(near.zip).toMatchObject({ skippedBlocks: 1, skippedRecords: 41 });
    // 3 neighbours each: 3 * 41 - (3 + 2 + 1) pairs, not 41 * 40 / 2.
    expect(near.zip.neighbourPairs).toBe(3 * 41 - 6);
    expect(near.pairs.size).toBe(3 * 41 - 6);
    expect(near.pairs.has('17|dup')).toBe(true);
    expect(pairsWith(0).pairs.size).toBe(0);
  });

  it('emits a pair once when several passes find it, by neighbourhood or by block', () => {
    // Everyone shares two postcodes (two passes over the cap); a few share a third in a small block.
    const fields: FieldSpec[] = [{ name: 'zip', kind: 'code' }, { name: 'zip2', kind: 'code' }, { name: 'zip3', kind: 'code' }, { name: 'tag', kind: 'exact' }];
    const rows: InputRecord[] = Array.from({ length: 30 }, (_, i) => ({ id: String(i), values: { zip: '19560409', zip2: '20010101', zip3: i < 4 ? '30000000' : '', tag: `t${i % 7}` } }));
    const records = prepareRecords(rows, fields);
    const candidates = generateCandidatePairs(records, planBlockingPasses(records), { maxBlockSize: 20, linkOnly: false, neighbours: 4 });
    const seen = new Set<string>();
    for (let p = 0; p < candidates.count; p++) {
      const key = `${candidates.left[p]}|${candidates.right[p]}`;
      expect(seen.has(key)).toBe(false);
      expect(candidates.left[p]!).toBeLessThan(candidates.right[p]!);
      seen.add(key);
    }
    for (const [a, b] of [[0, 1], [0, 3], [2, 3]]) expect(seen.has(`${a}|${b}`)).toBe(true);
  });
});
