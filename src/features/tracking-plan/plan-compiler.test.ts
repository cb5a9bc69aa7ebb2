import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkEventAgainstPlan, compileTrackingPlan, parseTrackingPlanYaml, type PlanEvent } from './index.ts';

const plan = compileTrackingPlan(
  parseTrackingPlanYaml(`
rules: { unknown_property: flag }
events:
  - name: Signed Up
    properties:
      plan: { type: string, required: true, enum: [free, pro] }
      seats: { type: integer, min: 1, max: 100 }
      code: { type: string, pattern: "^[A-Z]{3}$", max: 3 }
      note: { type: string, nullable: true, required: true }
`),
  1,
);

const event = (properties: Record<string, unknown>, name = 'Signed Up'): PlanEvent => ({ type: 'track', name, messageId: 'm', properties, traits: {}, timestamp: '2026-01-01T00:00:00.000Z' });

describe('tracking-plan checks', () => {
  it('never throws, and every finding names its field and shows its value (hostile values included)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 3 })), fc.string({ unit: 'binary', maxLength: 400 }), (props, hostile) => {
        const findings = checkEventAgainstPlan(plan, event({ ...props, code: hostile }))!;
        for (const f of findings) {
          if (f.field) expect(f.reason).toContain(f.field.slice(0, 50));
          if (f.value !== null) {
            expect(f.value.length).toBeLessThanOrEqual(203);
            // JSON text: control characters and lone surrogates arrive escaped.
            expect(f.value.isWellFormed()).toBe(true);
            expect(f.value).not.toContain('\u0000');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('checks each rule once per field, in order, and treats null as missing unless nullable', () => {
    const rules = (props: Record<string, unknown>) => checkEventAgainstPlan(plan, event(props))!.map((f) => `${f.rule}:${f.field}`);
    expect(rules({ plan: 'pro', note: null })).toEqual([]);
    expect(rules({ plan: null, note: 'x' })).toEqual(['required:properties.plan']);
    expect(rules({ plan: 7, note: 'x' })).toEqual(['type:properties.plan']);
    expect(rules({ plan: 'gold', seats: 0, code: 'ABCD', note: 'x' })).toEqual(['enum:properties.plan', 'min:properties.seats', 'pattern:properties.code']);
    expect(rules({ plan: 'pro', seats: 1.5, note: 'x', extra: 1 })).toEqual(['type:properties.seats', 'unknown_property:properties.extra']);
    expect(rules({ plan: 'pro', note: 'x' })).toEqual([]);
    expect(checkEventAgainstPlan(plan, event({}, 'Other'))!.map((f) => f.rule)).toEqual(['unknown_event']);
    expect(checkEventAgainstPlan(plan, { ...event({}), type: 'page' })).toBeNull();
    expect(checkEventAgainstPlan(plan, { ...event({}), type: 'identify' })).toBeNull();
  });
});
