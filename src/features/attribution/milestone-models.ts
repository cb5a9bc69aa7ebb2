import { AppError } from '../../platform/errors.ts';
import { CLOSED_WON, LEAD_CREATION, OPPORTUNITY_CREATION, type PathTable } from './path-table.ts';
import type { WeightFn } from './rule-models.ts';

/** Share of credit per milestone touch, and the share spread over the touches between. */
export interface MilestoneWeights {
  first_touch: number;
  lead_creation: number;
  opportunity_creation: number;
  closed_won: number;
  between: number;
}

export const U_SHAPED: MilestoneWeights = { first_touch: 0.5, lead_creation: 0.5, opportunity_creation: 0, closed_won: 0, between: 0 };
export const W_SHAPED: MilestoneWeights = { first_touch: 0.3, lead_creation: 0.3, opportunity_creation: 0.3, closed_won: 0, between: 0.1 };
export const FULL_PATH: MilestoneWeights = { first_touch: 0.225, lead_creation: 0.225, opportunity_creation: 0.225, closed_won: 0.225, between: 0.1 };

const FLAGS: ReadonlyArray<readonly [keyof MilestoneWeights, number]> = [
  ['lead_creation', LEAD_CREATION],
  ['opportunity_creation', OPPORTUNITY_CREATION],
  ['closed_won', CLOSED_WON],
];

export function validateMilestoneWeights(weights: MilestoneWeights): MilestoneWeights {
  for (const [key, value] of Object.entries(weights)) {
    if (!Number.isFinite(value) || value < 0) throw new AppError('invalid', `milestone weight ${key} must be a non-negative number, got ${String(value)}`);
  }
  if (weights.first_touch + weights.lead_creation + weights.opportunity_creation + weights.closed_won + weights.between <= 0) {
    throw new AppError('invalid', 'milestone weights must not all be 0');
  }
  return weights;
}

/**
 * Milestone models (Marketo Measure's U-shaped, W-shaped, full-path, and custom weights).
 * Per path: the milestone touch is the first touch carrying the milestone's flag; a touch
 * that is several milestones gets the sum of their weights; `between` is spread evenly over
 * the non-milestone touches after the first touch and before the last milestone reached.
 * A milestone the journey has not reached (no lead yet, no opportunity) and a `between`
 * with no touch to go to drop out, and the remaining weights are scaled to sum to 1 (a
 * W-shaped journey without an opportunity: 3/7 first touch, 3/7 lead creation, 1/7 over
 * the touches between); touches after the last milestone reached get nothing.
 */
export function weighMilestones(table: PathTable, model: string, weights: MilestoneWeights): WeightFn {
  if (!table.milestones) throw new AppError('invalid', `model ${model} needs lead/opportunity/closed-won milestone flags on touches; a ChannelAttribution path table has none (run it on workspace touchpoints with --workspace)`);
  validateMilestoneWeights(weights);
  const positions = new Int32Array(FLAGS.length);
  return (t, kept, n, _p, w) => {
    w.fill(0, 0, n);
    let total = 0;
    let last = 0;
    if (weights.first_touch > 0) {
      w[0]! += weights.first_touch;
      total += weights.first_touch;
    }
    for (let f = 0; f < FLAGS.length; f++) {
      const [key, flag] = FLAGS[f]!;
      positions[f] = -1;
      if (weights[key] === 0) continue;
      for (let i = 0; i < n; i++) {
        if ((t.milestones![kept[i]!]! & flag) !== 0) {
          positions[f] = i;
          break;
        }
      }
      if (positions[f]! < 0) continue;
      w[positions[f]!]! += weights[key];
      total += weights[key];
      last = Math.max(last, positions[f]!);
    }
    let between = 0;
    if (weights.between > 0) {
      for (let i = 1; i < last; i++) if (!isMilestone(positions, i)) between++;
      if (between > 0) {
        for (let i = 1; i < last; i++) if (!isMilestone(positions, i)) w[i]! += weights.between / between;
        total += weights.between;
      }
    }
    // Only first-touch weight 0 and no milestone reached: fall back to first touch.
    if (total === 0) {
      w[0] = 1;
      return;
    }
    for (let i = 0; i < n; i++) w[i]! /= total;
  };
}

function isMilestone(positions: Int32Array, i: number): boolean {
  for (let f = 0; f < positions.length; f++) if (positions[f] === i) return true;
  return false;
}

const WEIGHT_KEYS = ['first_touch', 'lead_creation', 'opportunity_creation', 'closed_won', 'between'] as const;

/** `first_touch=0.4,lead_creation=0.4,between=0.2` (CLI --weights, API weights=): missing keys are 0. */
export function parseMilestoneWeights(text: string): MilestoneWeights {
  const weights: MilestoneWeights = { first_touch: 0, lead_creation: 0, opportunity_creation: 0, closed_won: 0, between: 0 };
  for (const part of text.split(',')) {
    const [key, value] = part.split('=').map((s) => s.trim());
    if (!(WEIGHT_KEYS as readonly string[]).includes(key ?? '')) throw new AppError('invalid', `weights: unknown milestone "${key}"; expected ${WEIGHT_KEYS.join(', ')}`);
    const n = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(n)) throw new AppError('invalid', `weights: ${key} must be a number, got "${value ?? ''}"`);
    weights[key as (typeof WEIGHT_KEYS)[number]] = n;
  }
  return validateMilestoneWeights(weights);
}
