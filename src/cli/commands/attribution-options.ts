// The options of `keel attribution` and their parsing, shared by the path-file and workspace modes.
import { parseMilestoneWeights, type ModelOptions } from '../../features/attribution/path-models.ts';
import { AppError } from '../../platform/errors.ts';

export interface AttributionOpts {
  model?: string;
  schema?: boolean;
  saveConfig?: string;
  showConfig?: boolean;
  order?: string;
  out?: string;
  halfLife?: string;
  lookback?: string;
  weights?: string;
  simulate?: string;
  seed?: string;
  shapleyValue?: string;
  shapleySamples?: string;
  notes?: boolean;
  workspace?: string;
  from?: string;
  to?: string;
  by?: string;
  period?: string;
  config?: string;
  minEmployees?: string;
  json?: boolean;
}

export function modelOptionsOf(opts: AttributionOpts): ModelOptions {
  return {
    order: optionalNumber(opts.order, '--order'),
    halfLifeDays: optionalNumber(opts.halfLife, '--half-life'),
    lookbackDays: optionalNumber(opts.lookback, '--lookback'),
    simulations: optionalNumber(opts.simulate, '--simulate'),
    seed: optionalNumber(opts.seed, '--seed'),
    shapleySamples: optionalNumber(opts.shapleySamples, '--shapley-samples'),
    shapleyValueOf: parseShapleyValue(opts.shapleyValue),
    milestoneWeights: opts.weights === undefined ? undefined : parseMilestoneWeights(opts.weights),
  };
}

export function optionalNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new AppError('invalid', `${name} must be a number, got "${value}"`);
  return n;
}

function parseShapleyValue(value: string | undefined): ModelOptions['shapleyValueOf'] {
  if (value === undefined || value === 'conversions' || value === 'conversion-rate') return value;
  throw new AppError('invalid', `--shapley-value must be conversions or conversion-rate, got "${value}"`);
}
