import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTACT_MATCH_FIELDS, withWorkDomain } from '../contact-match-fields.ts';
import { generateMarketingContacts } from '../marketing-data-generator.ts';
import { compareRecords, decodePattern, encodePattern, MISSING } from './compare-fields.ts';
import { FIELD_KINDS, levelCountOf, type FieldSpec } from './field-spec.ts';
import { explainPattern, matchRecords, selectScoredPairs } from './match-records.ts';
import { prepareRecords } from './prepare-records.ts';

const ALL_KINDS: FieldSpec[] = FIELD_KINDS.map((kind) => ({ name: kind, kind }));
const value = fc.oneof(fc.constantFrom('', 'Acme Inc.', 'ACME', 'bob@gmail.com', 'bob@acme.com', '+1 415 555 0101', '4155550101', 'Robert', 'Bob', '2000'), fc.string({ maxLength: 12 }));
const row = fc.record(Object.fromEntries(FIELD_KINDS.map((k) => [k, value])) as Record<string, typeof value>);

describe('comparison', () => {
  it('is symmetric, in range, and missing when either side is empty, for every field kind', () => {
    fc.assert(
      fc.property(row, row, (a, b) => {
        const records = prepareRecords([{ id: 'a', values: a }, { id: 'b', values: b }], ALL_KINDS);
        const ab = new Int8Array(ALL_KINDS.length);
        const ba = new Int8Array(ALL_KINDS.length);
        const given = ALL_KINDS.findIndex((f) => f.kind === 'given_name');
        const family = ALL_KINDS.findIndex((f) => f.kind === 'family_name');
        compareRecords(records, given, family, 0, 1, ab);
        compareRecords(records, given, family, 1, 0, ba);
        expect([...ab]).toEqual([...ba]);
        ab.forEach((level, f) => {
          expect(level).toBeGreaterThanOrEqual(MISSING);
          expect(level).toBeLessThan(levelCountOf(ALL_KINDS[f]!.kind));
          if (records.columns[f]!.values[0] === '' || records.columns[f]!.values[1] === '') expect(level).toBe(MISSING);
        });
        expect(decodePattern(encodePattern(ab, FIELD_KINDS), FIELD_KINDS)).toEqual([...ab]);
      }),
      { numRuns: 1000 },
    );
  });

  it('sees through nicknames, swapped names, legal forms and phone formats', () => {
    const records = prepareRecords(
      [
        { id: '1', values: { first_name: 'Robert', last_name: 'Smith', company: 'Acme Corp.', phone: '+1 (415) 555-0101' } },
        { id: '2', values: { first_name: 'SMITH', last_name: 'bob', company: 'ACME, Inc', phone: '1-415-555-0101' } },
      ],
      CONTACT_MATCH_FIELDS,
    );
    const levels = new Int8Array(CONTACT_MATCH_FIELDS.length);
    compareRecords(records, 0, 1, 0, 1, levels);
    expect([...levels]).toEqual([3, 3, MISSING, 3, 3, MISSING]);
  });
});

describe('matchRecords on the marketing generator', () => {
  const generated = generateMarketingContacts({ people: 1500, seed: 11 });
  const run = matchRecords(generated.map((r) => ({ ...r, values: withWorkDomain(r.values) })), CONTACT_MATCH_FIELDS);
  const entityOf = new Map(generated.map((r) => [r.id, r.entity]));
  const predicted = selectScoredPairs(run, 0.5);

  it('finds the duplicates with F1 >= 0.95 from far fewer pairs than all pairs', () => {
    const truth = new Map<string, number>();
    for (const r of generated) truth.set(r.entity, (truth.get(r.entity) ?? 0) + 1);
    const truePairs = [...truth.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0);
    const tp = predicted.filter((p) => entityOf.get(run.records.ids[p.a]!) === entityOf.get(run.records.ids[p.b]!)).length;
    const precision = tp / predicted.length;
    const recall = tp / truePairs;
    expect((2 * precision * recall) / (precision + recall)).toBeGreaterThanOrEqual(0.95);
    expect(run.stats.candidatePairs).toBeLessThan(run.stats.allPairs / 50);
  });

  it('never calls a job change a duplicate: two work addresses at different employers', () => {
    const variantOf = new Map(generated.map((r) => [r.id, r.variant]));
    const jobChanges = predicted.filter((p) => variantOf.get(run.records.ids[p.a]!) === 'job change' || variantOf.get(run.records.ids[p.b]!) === 'job change');
    for (const p of jobChanges) {
      const email = explainPattern(run, p.pattern, p.a, p.b).find((e) => e.field === 'email')!;
      expect(email.level).not.toBe('different employers');
    }
    expect(generated.some((r) => r.variant === 'job change')).toBe(true);
  });

  it('explains each pair field by field, with weights that add up to the match weight', () => {
    const best = predicted[0]!;
    const evidence = explainPattern(run, best.pattern, best.a, best.b);
    expect(evidence.map((e) => e.field)).toEqual(CONTACT_MATCH_FIELDS.map((f) => f.name));
    expect(evidence.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(best.weight, 2);
  });
});
