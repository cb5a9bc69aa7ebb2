import { AppError } from '../../platform/errors.ts';
import type { ChannelCredits } from './credits.ts';
import { attributeMarkov } from './markov-model.ts';
import { FULL_PATH, U_SHAPED, W_SHAPED, weighMilestones, type MilestoneWeights } from './milestone-models.ts';
import type { PathTable } from './path-table.ts';
import { distributeCredits, weighFirstTouch, weighLastNonDirect, weighLastTouch, weighLinear, weighPositionBased, weighTimeDecay, type RuleOptions } from './rule-models.ts';
import { attributeShapley, type ShapleyValueOf } from './shapley-model.ts';

/** Model names: the same in the CLI, the API and YAML. */
export const MODEL_NAMES = ['first-touch', 'last-touch', 'last-non-direct', 'linear', 'time-decay', 'position-based', 'u-shaped', 'w-shaped', 'full-path', 'custom', 'markov', 'shapley'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Models that need touch times or milestone flags, which a ChannelAttribution file lacks. */
export const MODELS_NEEDING_JOURNEY_DETAIL: readonly ModelName[] = ['time-decay', 'u-shaped', 'w-shaped', 'full-path', 'custom'];

export interface ModelOptions extends RuleOptions {
  order?: number;
  simulations?: number;
  seed?: number;
  milestoneWeights?: MilestoneWeights;
  shapleyValueOf?: ShapleyValueOf;
  shapleyExactLimit?: number;
  shapleySamples?: number;
}

export function parseModelName(value: string): ModelName {
  if ((MODEL_NAMES as readonly string[]).includes(value)) return value as ModelName;
  throw new AppError('invalid', `model must be one of ${MODEL_NAMES.join(', ')}; got "${value}"`);
}

/** Runs one attribution model over a path table. */
export function runAttributionModel(table: PathTable, model: ModelName, options: ModelOptions = {}): ChannelCredits {
  if (model !== 'markov' && options.order !== undefined && options.order !== 1) throw new AppError('invalid', `order applies to markov only, got order ${options.order} with model ${model}`);
  if ((model === 'markov' || model === 'shapley') && options.lookbackDays !== undefined) {
    throw new AppError('invalid', `lookback on ${model}: cut the journeys when building them (workspace --lookback does), not in the model`);
  }
  switch (model) {
    case 'first-touch':
      return distributeCredits(table, model, weighFirstTouch, options);
    case 'last-touch':
      return distributeCredits(table, model, weighLastTouch, options);
    case 'last-non-direct':
      return distributeCredits(table, model, weighLastNonDirect(table, options), options);
    case 'linear':
      return distributeCredits(table, model, weighLinear, options);
    case 'position-based':
      return distributeCredits(table, model, weighPositionBased, options);
    case 'time-decay':
      return distributeCredits(table, model, weighTimeDecay(table, options), options);
    case 'u-shaped':
      return distributeCredits(table, model, weighMilestones(table, model, U_SHAPED), options);
    case 'w-shaped':
      return distributeCredits(table, model, weighMilestones(table, model, W_SHAPED), options);
    case 'full-path':
      return distributeCredits(table, model, weighMilestones(table, model, FULL_PATH), options);
    case 'custom':
      if (!options.milestoneWeights) throw new AppError('invalid', 'model custom needs milestone weights (first_touch, lead_creation, opportunity_creation, closed_won, between)');
      return distributeCredits(table, model, weighMilestones(table, model, options.milestoneWeights), options);
    case 'markov':
      return attributeMarkov(table, { order: options.order, simulations: options.simulations, seed: options.seed });
    case 'shapley':
      return attributeShapley(table, { worth: options.shapleyValueOf, exactLimit: options.shapleyExactLimit, samples: options.shapleySamples, seed: options.seed });
  }
}
