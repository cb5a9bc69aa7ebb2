// Two-proportion z-test for the campaign report's variant comparisons and holdout lift.

export interface ProportionTest {
  /** Rate of the tested group minus rate of the reference group. */
  difference: number;
  /** Relative lift: difference / reference rate (null when the reference rate is 0). */
  relative_lift: number | null;
  /** Pooled two-proportion z statistic; null when it is undefined (an empty group, or both rates 0 or 1). */
  z: number | null;
  /** Two-sided p-value of z. */
  p_value: number | null;
  /** 95% confidence interval of the difference (unpooled Wald standard error). */
  ci_low: number | null;
  ci_high: number | null;
  significant: boolean;
}

const Z_975 = 1.959963984540054;

/**
 * Compares successes x1 of n1 (tested) with x2 of n2 (reference). The test uses the pooled
 * proportion under the null hypothesis p1 = p2: z = (p1 - p2) / sqrt(p(1-p)(1/n1 + 1/n2));
 * the interval uses each group's own variance: d ± 1.96 · sqrt(p1(1-p1)/n1 + p2(1-p2)/n2).
 * Example: 250/1000 against 200/1000 gives z = 2.6774, p = 0.00742.
 */
export function testTwoProportions(x1: number, n1: number, x2: number, n2: number): ProportionTest | null {
  if (n1 <= 0 || n2 <= 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const difference = p1 - p2;
  const pooled = (x1 + x2) / (n1 + n2);
  const se0 = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = se0 > 0 ? difference / se0 : null;
  const p = z === null ? null : 2 * normalUpperTail(Math.abs(z));
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return {
    difference,
    relative_lift: p2 > 0 ? difference / p2 : null,
    z,
    p_value: p,
    ci_low: difference - Z_975 * se,
    ci_high: difference + Z_975 * se,
    significant: p !== null && p < 0.05,
  };
}

/** P(Z > z) for a standard normal Z: erfc(z / √2) / 2. */
export function normalUpperTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

// erfc by the Chebyshev fit of Numerical Recipes (erfcc), fractional error below 1.2e-7.
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}
