/** The components of the overall score, their weights, and how each is measured. */
export const SCORE_WEIGHTS = {
  completeness: 0.25,
  validity: 0.25,
  uniqueness: 0.15,
  conformance: 0.15,
  freshness: 0.1,
  consent: 0.1,
} as const;

export type ScoreComponentName = keyof typeof SCORE_WEIGHTS;

export const SCORE_FORMULA =
  'score = 100 × Σ(weight × value) / Σ(weight) over the components that can be measured; ' +
  'completeness (0.25) = mean share of core contact and account fields filled; ' +
  'validity (0.25) = share of filled values that pass their check; ' +
  'uniqueness (0.15) = 1 − duplicate records / records; ' +
  'conformance (0.15) = 1 − events with a tracking-plan violation / events checked in the window; ' +
  'freshness (0.10) = 1 − stale records / records; ' +
  'consent (0.10) = 1 − known contacts without consent / known contacts. ' +
  'A component that cannot be measured (no plan applied, consent not available, no records) is left out and the weights of the others renormalized.';

export interface ScoreComponent {
  name: ScoreComponentName;
  weight: number;
  /** 0..1, or null when it cannot be measured. */
  value: number | null;
  note?: string | undefined;
}

export interface HealthScore {
  value: number;
  formula: string;
  components: ScoreComponent[];
}

/** Combines the components into one 0-100 score (one decimal) by the stated formula. */
export function computeHealthScore(values: Record<ScoreComponentName, { value: number | null; note?: string | undefined }>): HealthScore {
  const components = (Object.keys(SCORE_WEIGHTS) as ScoreComponentName[]).map((name) => ({
    name,
    weight: SCORE_WEIGHTS[name],
    value: values[name].value === null ? null : round(clamp(values[name].value!), 4),
    ...(values[name].note ? { note: values[name].note } : {}),
  }));
  const measured = components.filter((c) => c.value !== null);
  const weights = measured.reduce((sum, c) => sum + c.weight, 0);
  const value = weights === 0 ? 100 : (100 * measured.reduce((sum, c) => sum + c.weight * c.value!, 0)) / weights;
  return { value: round(value, 1), formula: SCORE_FORMULA, components };
}

/** part / whole, or null when there is nothing to measure. */
export const shareOf = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

const clamp = (x: number) => Math.min(1, Math.max(0, x));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
