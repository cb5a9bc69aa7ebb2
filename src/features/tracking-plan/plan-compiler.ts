import { DEFAULT_RULE_ACTIONS, type Action, type PlanProperty, type PlanScope, type RuleKind, type TrackingPlan } from './tracking-plan.schema.ts';

/** The part of an ingested event a tracking plan looks at (the ingest AcceptedEvent fits). */
export interface PlanEvent {
  type: string;
  name: string | null;
  messageId: string;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  timestamp: string;
}

/** One rule an event broke, with the action the plan chose for it. */
export interface Finding {
  rule: RuleKind;
  /** Where the rule applies: `track:Demo Requested`, `identify`, `group`. */
  subject: string;
  /** The event field at fault, e.g. `properties.team_size`; null for an unknown event. */
  field: string | null;
  /** The value as JSON (truncated), or null when it is missing. */
  value: string | null;
  reason: string;
  action: Action;
}

type Check = (value: unknown, present: boolean) => Omit<Finding, 'subject' | 'action'> | undefined;

interface CompiledProperty {
  name: string;
  /** null meets `required`; otherwise a null counts as missing. */
  nullable: boolean;
  checks: Array<{ rule: RuleKind; action: Action; check: Check }>;
}

interface CompiledScope {
  subject: string;
  /** 'properties' for track events, 'traits' for identify and group. */
  container: 'properties' | 'traits';
  properties: CompiledProperty[];
  declared: Set<string>;
  unknownAction: Action | undefined;
}

/** A plan turned into plain checks once per version; checking an event allocates little. */
export interface CompiledPlan {
  version: number;
  events: Map<string, CompiledScope>;
  identify: CompiledScope | undefined;
  group: CompiledScope | undefined;
  unknownEventAction: Action;
  governsEvents: boolean;
}

const MAX_VALUE_CHARS = 200;

export function compileTrackingPlan(plan: TrackingPlan, version: number): CompiledPlan {
  const actions = { ...DEFAULT_RULE_ACTIONS, ...plan.rules };
  const events = new Map<string, CompiledScope>();
  for (const event of plan.events ?? []) events.set(event.name, compileScope(`track:${event.name}`, 'properties', event, actions, 'unknown_property'));
  const traits = plan.traits ?? {};
  return {
    version,
    events,
    identify: traits.identify ? compileScope('identify', 'traits', traits.identify, actions, 'unknown_trait') : undefined,
    group: traits.group ? compileScope('group', 'traits', traits.group, actions, 'unknown_trait') : undefined,
    unknownEventAction: actions.unknown_event,
    governsEvents: plan.events !== undefined,
  };
}

function compileScope(subject: string, container: CompiledScope['container'], scope: PlanScope, actions: Record<RuleKind, Action>, unknownRule: RuleKind): CompiledScope {
  const properties = Object.entries(scope.properties ?? {}).map(([name, spec]) => {
    const actionOf = (rule: RuleKind) => spec.on_violation ?? scope.on_violation ?? actions[rule];
    return { name, nullable: spec.nullable === true, checks: compileChecks(`${container}.${name}`, spec).map(([rule, check]) => ({ rule, action: actionOf(rule), check })) };
  });
  return {
    subject,
    container,
    properties,
    declared: new Set(Object.keys(scope.properties ?? {})),
    unknownAction: scope.additional_properties ? undefined : (scope.on_violation ?? actions[unknownRule]),
  };
}

/** Checks run in this order, and a value stops at its first failure (one finding per field). */
function compileChecks(field: string, spec: PlanProperty): Array<[RuleKind, Check]> {
  const checks: Array<[RuleKind, Check]> = [];
  const found = (rule: RuleKind, value: unknown, why: string) => ({ rule, field, value: showValue(value), reason: `${field} = ${showValue(value)} ${why}` });
  if (spec.required) checks.push(['required', (value, present) => (!present ? { rule: 'required', field, value: null, reason: `${field} is required and missing` } : undefined)]);
  const type = spec.type;
  if (type) checks.push(['type', (value) => (matchesType(value, type) ? undefined : found('type', value, `is ${describeType(value)}, not ${type}`))]);
  const allowed = spec.enum;
  if (allowed) {
    const set = new Set<unknown>(allowed);
    const list = allowed.slice(0, 10).map((v) => JSON.stringify(v)).join(', ') + (allowed.length > 10 ? ', ...' : '');
    checks.push(['enum', (value) => (set.has(value) ? undefined : found('enum', value, `is not one of ${list}`))]);
  }
  if (spec.pattern !== undefined) {
    const pattern = new RegExp(spec.pattern, 'u');
    checks.push(['pattern', (value) => (typeof value !== 'string' || pattern.test(value) ? undefined : found('pattern', value, `does not match /${spec.pattern}/`))]);
  }
  const { min, max } = spec;
  if (min !== undefined) checks.push(['min', (value) => (measure(value) === undefined || measure(value)! >= min ? undefined : found('min', value, `is below the minimum ${min}${unitOf(value)}`))]);
  if (max !== undefined) checks.push(['max', (value) => (measure(value) === undefined || measure(value)! <= max ? undefined : found('max', value, `is above the maximum ${max}${unitOf(value)}`))]);
  // Missing and null values meet only the `required` check.
  return checks.map(([rule, check]): [RuleKind, Check] => [rule, rule === 'required' ? check : (value, present) => (!present || value === null ? undefined : check(value, present))]);
}

/** Every finding for one event (empty when it conforms); null when the plan does not cover its type. */
export function checkEventAgainstPlan(plan: CompiledPlan, event: PlanEvent): Finding[] | null {
  if (event.type === 'track') {
    const name = event.name ?? '';
    const scope = plan.events.get(name);
    if (scope) return checkScope(scope, event.properties);
    // A plan without an `events:` list does not govern track events at all.
    if (!plan.governsEvents) return null;
    return [{ rule: 'unknown_event', subject: `track:${name}`, field: 'event', value: showValue(name), reason: `event "${truncate(name)}" is not in the tracking plan`, action: plan.unknownEventAction }];
  }
  if (event.type === 'identify' && plan.identify) return checkScope(plan.identify, event.traits);
  if (event.type === 'group' && plan.group) return checkScope(plan.group, event.traits);
  return null;
}

function checkScope(scope: CompiledScope, values: Record<string, unknown>): Finding[] {
  const findings: Finding[] = [];
  for (const property of scope.properties) {
    const value = Object.hasOwn(values, property.name) ? values[property.name] : undefined;
    const present = value !== undefined && (value !== null || property.nullable);
    for (const { rule, action, check } of property.checks) {
      const failure = check(value, present);
      if (!failure) continue;
      findings.push({ ...failure, subject: scope.subject, action, reason: `${failure.reason} (${scope.subject}, rule ${rule})` });
      break;
    }
  }
  if (scope.unknownAction === undefined) return findings;
  for (const key of Object.keys(values)) {
    if (scope.declared.has(key)) continue;
    const field = `${scope.container}.${truncate(key)}`;
    const rule: RuleKind = scope.container === 'traits' ? 'unknown_trait' : 'unknown_property';
    findings.push({ rule, subject: scope.subject, field, value: showValue(values[key]), reason: `${field} is not declared in the tracking plan (${scope.subject}, rule ${rule})`, action: scope.unknownAction });
  }
  return findings;
}

function matchesType(value: unknown, type: NonNullable<PlanProperty['type']>): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array':
      return Array.isArray(value);
    case 'datetime':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) && !Number.isNaN(Date.parse(value));
  }
}

function measure(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  return undefined;
}

const unitOf = (value: unknown) => (typeof value === 'number' ? '' : ' (length)');

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Number.isInteger(value)) return 'an integer';
  return `a ${typeof value}`;
}

/** JSON text of a value, cut short: escapes control characters, so hostile strings stay readable. */
export function showValue(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text;
}

const truncate = (text: string) => (text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}...` : text);
