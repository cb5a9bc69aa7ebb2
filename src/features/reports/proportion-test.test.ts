import { describe, expect, it } from 'vitest';
import { normalUpperTail, testTwoProportions } from './proportion-test.ts';

describe('two-proportion z-test', () => {
  it('reproduces the worked example 250/1000 against 200/1000', () => {
    // Pooled p = 450/2000 = 0.225; SE0 = sqrt(0.225 · 0.775 · (1/1000 + 1/1000)) = 0.0186748;
    // z = 0.05 / 0.0186748 = 2.67740; two-sided p = 0.0074196. Wald SE = sqrt(.25·.75/1000 + .2·.8/1000)
    // = 0.0186414, so the 95% CI is 0.05 ± 1.96 · 0.0186414 = [0.013464, 0.086536].
    const t = testTwoProportions(250, 1000, 200, 1000)!;
    expect(t.difference).toBeCloseTo(0.05, 12);
    expect(t.relative_lift).toBeCloseTo(0.25, 12);
    expect(t.z).toBeCloseTo(2.6774, 4);
    expect(t.p_value).toBeCloseTo(0.00742, 5);
    expect(t.ci_low).toBeCloseTo(0.013464, 5);
    expect(t.ci_high).toBeCloseTo(0.086536, 5);
    expect(t.significant).toBe(true);
  });

  it('a small test: 12/40 against 5/38 is not significant at 5%', () => {
    // p = 17/78; d = 0.3 - 0.131579 = 0.168421; z = 1.80084; p = 0.071727.
    const t = testTwoProportions(12, 40, 5, 38)!;
    expect(t.z).toBeCloseTo(1.80084, 4);
    expect(t.p_value).toBeCloseTo(0.071727, 5);
    expect(t.significant).toBe(false);
    // Swapping the groups flips the sign, not the p-value.
    const back = testTwoProportions(5, 38, 12, 40)!;
    expect(back.z).toBeCloseTo(-1.80084, 4);
    expect(back.p_value).toBeCloseTo(t.p_value!, 12);
  });

  it('has no test for an empty group and no z when both rates are 0 or 1', () => {
    expect(testTwoProportions(1, 0, 1, 10)).toBeNull();
    expect(testTwoProportions(0, 10, 0, 12)).toMatchObject({ difference: 0, z: null, p_value: null, significant: false, relative_lift: null });
    expect(testTwoProportions(10, 10, 12, 12)).toMatchObject({ z: null, p_value: null });
  });

  it('normal tail matches known quantiles', () => {
    expect(normalUpperTail(0)).toBeCloseTo(0.5, 7);
    expect(normalUpperTail(1.959963984540054)).toBeCloseTo(0.025, 6);
    expect(normalUpperTail(-1.6448536)).toBeCloseTo(0.95, 6);
    expect(normalUpperTail(3.090232)).toBeCloseTo(0.001, 6);
  });
});
