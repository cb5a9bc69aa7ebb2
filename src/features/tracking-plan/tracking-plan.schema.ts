import { z } from 'zod';

/** What happens when an event breaks a rule: nothing, a count, a stored violation, or refusal. */
export const PLAN_ACTIONS = ['allow', 'count', 'flag', 'block'] as const;
export type Action = (typeof PLAN_ACTIONS)[number];

export const RULE_KINDS = ['required', 'type', 'enum', 'pattern', 'min', 'max', 'unknown_event', 'unknown_property', 'unknown_trait'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Rules left out of `rules:` act like this: checks flag, unknowns are counted (and listed). */
export const DEFAULT_RULE_ACTIONS: Record<RuleKind, Action> = {
  required: 'flag',
  type: 'flag',
  enum: 'flag',
  pattern: 'flag',
  min: 'flag',
  max: 'flag',
  unknown_event: 'count',
  unknown_property: 'count',
  unknown_trait: 'count',
};

export const PROPERTY_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'datetime'] as const;

const ActionSchema = z.enum(PLAN_ACTIONS).describe('allow: record nothing; count: count only; flag: store the event and record the violation; block: refuse the event into rejected_events');
const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const MAX_PATTERN_LENGTH = 500;

const PropertySchema = z
  .object({
    description: z.string().max(2000).optional(),
    type: z.enum(PROPERTY_TYPES).optional().describe('datetime: an ISO-8601 string'),
    required: z.boolean().optional(),
    nullable: z.boolean().optional().describe('null is accepted as a value (a required property must still be present)'),
    enum: z.array(Scalar).min(1).max(1000).optional().describe('the allowed values'),
    pattern: z
      .string()
      .min(1)
      .max(MAX_PATTERN_LENGTH)
      .refine(isCompilablePattern, { message: 'is not a valid regular expression' })
      .optional()
      .describe('a JavaScript regular expression (u flag) that string values must match'),
    min: z.number().optional().describe('numbers: smallest value; strings and arrays: shortest length'),
    max: z.number().optional().describe('numbers: largest value; strings and arrays: longest length'),
    on_violation: ActionSchema.optional(),
  })
  .strict()
  .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, { message: 'min must not exceed max', path: ['min'] });

const PropertiesSchema = z.record(z.string().min(1).max(200), PropertySchema);

const ScopeFields = {
  description: z.string().max(2000).optional(),
  properties: PropertiesSchema.optional(),
  additional_properties: z.boolean().optional().describe('true: properties not declared here are not reported as unknown'),
  on_violation: ActionSchema.optional().describe("overrides the rules' actions for this event or trait set"),
};

const EventSchema = z.object({ name: z.string().min(1).max(200), ...ScopeFields }).strict();
const TraitsSchema = z.object(ScopeFields).strict();

/** A tracking plan as written in YAML: declared events and traits, and the action per rule. */
export const TrackingPlanSchema = z
  .object({
    name: z.string().max(200).optional(),
    description: z.string().max(2000).optional(),
    rules: z.partialRecord(z.enum(RULE_KINDS), ActionSchema).optional().describe('the action per rule; defaults: checks flag, unknowns count'),
    events: z.array(EventSchema).max(2000).optional().describe('track events by name'),
    traits: z.object({ identify: TraitsSchema.optional(), group: TraitsSchema.optional() }).strict().optional(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const seen = new Set<string>();
    plan.events?.forEach((event, i) => {
      if (seen.has(event.name)) ctx.addIssue({ code: 'custom', path: ['events', i, 'name'], message: `duplicate event name "${event.name}"` });
      seen.add(event.name);
    });
  });

export type TrackingPlan = z.infer<typeof TrackingPlanSchema>;
export type PlanProperty = z.infer<typeof PropertySchema>;
export type PlanScope = z.infer<typeof TraitsSchema>;

function isCompilablePattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/** The published JSON Schema of tracking-plan YAML files (schemas/tracking-plan.schema.json). */
export function buildTrackingPlanJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://keel.dev/schemas/tracking-plan.schema.json',
    title: 'Keel tracking plan',
    ...z.toJSONSchema(TrackingPlanSchema, { io: 'input', target: 'draft-2020-12' }),
  };
}
