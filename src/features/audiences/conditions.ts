import { z } from 'zod';

/**
 * The condition language shared by segments, scoring rules and stage rules. A condition
 * is an object with exactly one key naming its kind; `all`, `any` and `not` nest.
 */
export const OPERATORS = [
  'eq',
  'neq',
  'in',
  'not_in',
  'contains',
  'starts_with',
  'ends_with',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'exists',
  'not_exists',
  'is_empty',
  'within_last_days',
  'before',
  'after',
] as const;
export type Operator = (typeof OPERATORS)[number];

const Op = z.enum(OPERATORS, { error: (issue) => `unknown operator ${JSON.stringify(issue.input)} (one of ${OPERATORS.join(', ')})` });
const Scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);
const Value = z.union([Scalar, z.array(Scalar).max(1000)]);
const Name = z.string().min(1).max(200);
const DateText = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { error: (i) => `not a date: ${JSON.stringify(i.input)}` });

export type Scalar = z.infer<typeof Scalar>;
export type ConditionValue = z.infer<typeof Value>;

export const FieldTestSchema = z.object({ name: Name, op: Op, value: Value.optional() }).strict();
export type FieldTest = z.infer<typeof FieldTestSchema>;

export const PropertyTestSchema = z.object({ property: Name, op: Op, value: Value.optional() }).strict();
export type PropertyTest = z.infer<typeof PropertyTestSchema>;

export const EventTestSchema = z
  .object({
    name: Name.describe('Event name (track event, or page name)'),
    where: z.array(PropertyTestSchema).max(50).optional().describe('Filters on event properties (dotted paths reach nested ones)'),
    at_least: z.number().int().min(1).max(1_000_000).optional(),
    at_most: z.number().int().min(0).max(1_000_000).optional(),
    never: z.literal(true).optional(),
    within_last_days: z.number().int().min(1).max(36_500).optional(),
    between: z.tuple([DateText, DateText]).optional(),
  })
  .strict();
export type EventTest = z.infer<typeof EventTestSchema>;

export const ScoreTestSchema = z
  .object({ model: Name, of: z.enum(['total', 'fit', 'engagement', 'contact_fit']).optional(), op: Op, value: Value.optional() })
  .strict();
export const StageTestSchema = z.object({ dimension: z.enum(['lifecycle', 'engagement']).optional(), op: Op, value: Value.optional() }).strict();
export const SegmentRefSchema = z.object({ name: Name }).strict();
export const ConsentTestSchema = z.object({ topic: Name, status: z.enum(['subscribed', 'unsubscribed']).optional() }).strict();
export const OpportunityTestSchema = z
  .object({
    status: z.enum(['open', 'won', 'lost']).optional(),
    stage: Name.optional(),
    min_amount: z.number().min(0).optional(),
    within_last_days: z.number().int().min(1).max(36_500).optional(),
  })
  .strict();

export interface Condition {
  all?: Condition[] | undefined;
  any?: Condition[] | undefined;
  not?: Condition | undefined;
  field?: FieldTest | undefined;
  trait?: FieldTest | undefined;
  event?: EventTest | undefined;
  account?: Condition | undefined;
  contacts?: { where?: Condition | undefined; at_least?: number | undefined } | undefined;
  score?: z.infer<typeof ScoreTestSchema> | undefined;
  stage?: z.infer<typeof StageTestSchema> | undefined;
  segment?: z.infer<typeof SegmentRefSchema> | undefined;
  consent?: z.infer<typeof ConsentTestSchema> | undefined;
  opportunity?: z.infer<typeof OpportunityTestSchema> | undefined;
}

export const CONDITION_KINDS = ['all', 'any', 'not', 'field', 'trait', 'event', 'account', 'contacts', 'score', 'stage', 'segment', 'consent', 'opportunity'] as const;

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .object({
      all: z.array(ConditionSchema).min(1).max(100).optional(),
      any: z.array(ConditionSchema).min(1).max(100).optional(),
      not: ConditionSchema.optional(),
      field: FieldTestSchema.optional().describe('A core field: contact email, title, country, last_seen_at...; account employees, industry...'),
      trait: FieldTestSchema.optional().describe('A custom trait (dotted paths reach nested ones)'),
      event: EventTestSchema.optional(),
      account: ConditionSchema.optional().describe("The contact's account matches (contact segments)"),
      contacts: z.object({ where: ConditionSchema.optional(), at_least: z.number().int().min(1).max(100_000).optional() }).strict().optional(),
      score: ScoreTestSchema.optional(),
      stage: StageTestSchema.optional(),
      segment: SegmentRefSchema.optional(),
      consent: ConsentTestSchema.optional(),
      opportunity: OpportunityTestSchema.optional(),
    })
    .strict()
    .superRefine((node, ctx) => {
      const keys = Object.keys(node).filter((k) => (node as Record<string, unknown>)[k] !== undefined);
      if (keys.length !== 1) {
        ctx.addIssue({ code: 'custom', message: `a condition has exactly one of ${CONDITION_KINDS.join(', ')}; got ${keys.length === 0 ? 'none' : keys.join(', ')}` });
      }
    }),
);

/** `rules[2].event.where[0].op` from a zod issue path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}
