import { z } from 'zod';
import {
  ConditionSchema,
  ConsentTestSchema,
  EventTestSchema,
  FieldTestSchema,
  OpportunityTestSchema,
  ScoreTestSchema,
  SegmentRefSchema,
  StageTestSchema,
  type Condition,
} from '../audiences/index.ts';

const Name = z.string().min(1).max(200);
const StepId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (i) => `a step id is lower-case letters, digits, _ and -, got ${JSON.stringify(i.input)}` });
const Scalar = z.union([z.string().max(1000), z.number(), z.boolean()]);
const PropertyFilter = z.object({ property: Name, op: z.enum(['eq', 'neq', 'in', 'not_in', 'contains', 'gt', 'gte', 'lt', 'lte', 'exists', 'not_exists']), value: z.union([Scalar, z.array(Scalar).max(100)]).optional() }).strict();
export type PropertyFilter = z.infer<typeof PropertyFilter>;
const EventMatch = z.object({ name: Name.describe('Event name'), where: z.array(PropertyFilter).max(20).optional().describe('Filters on event properties (dotted paths reach nested ones)') }).strict();
export type EventMatch = z.infer<typeof EventMatch>;
const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: (i) => `a time of day is HH:MM (24 h), got ${JSON.stringify(i.input)}` });
const Duration = z
  .object({ days: z.number().int().min(0).max(3650).optional(), hours: z.number().int().min(0).max(10_000).optional(), minutes: z.number().int().min(0).max(100_000).optional(), seconds: z.number().int().min(0).max(1_000_000).optional() })
  .strict()
  .refine((d) => (d.days ?? 0) + (d.hours ?? 0) + (d.minutes ?? 0) + (d.seconds ?? 0) > 0, { error: 'a duration needs days, hours, minutes or seconds above 0' });
export type Duration = z.infer<typeof Duration>;

export const STEP_RESULTS = ['sent', 'blocked', 'skipped', 'opened', 'clicked', 'event', 'timeout'] as const;
const StepResultTest = z
  .object({ id: StepId.describe('A previous step'), result: z.enum(STEP_RESULTS).optional(), variant: Name.optional().describe('The variant a split step chose') })
  .strict()
  .refine((s) => s.result !== undefined || s.variant !== undefined, { error: 'a step condition names a result or a variant' });

/** A branch condition: the audiences condition language, plus `step` (a previous step's result). */
export interface JourneyCondition {
  all?: JourneyCondition[] | undefined;
  any?: JourneyCondition[] | undefined;
  not?: JourneyCondition | undefined;
  step?: z.infer<typeof StepResultTest> | undefined;
  field?: Condition['field'];
  trait?: Condition['trait'];
  event?: Condition['event'];
  account?: Condition['account'];
  score?: Condition['score'];
  stage?: Condition['stage'];
  segment?: Condition['segment'];
  consent?: Condition['consent'];
  opportunity?: Condition['opportunity'];
}
export const JOURNEY_CONDITION_KINDS = ['all', 'any', 'not', 'step', 'field', 'trait', 'event', 'account', 'score', 'stage', 'segment', 'consent', 'opportunity'] as const;

const JourneyConditionSchema: z.ZodType<JourneyCondition> = z.lazy(() =>
  z
    .object({
      all: z.array(JourneyConditionSchema).min(1).max(50).optional(),
      any: z.array(JourneyConditionSchema).min(1).max(50).optional(),
      not: JourneyConditionSchema.optional(),
      step: StepResultTest.optional(),
      field: FieldTestSchema.optional(),
      trait: FieldTestSchema.optional(),
      event: EventTestSchema.optional(),
      account: ConditionSchema.optional(),
      score: ScoreTestSchema.optional(),
      stage: StageTestSchema.optional(),
      segment: SegmentRefSchema.optional(),
      consent: ConsentTestSchema.optional(),
      opportunity: OpportunityTestSchema.optional(),
    })
    .strict()
    .superRefine((node, ctx) => {
      const keys = Object.keys(node).filter((k) => (node as Record<string, unknown>)[k] !== undefined);
      if (keys.length !== 1) ctx.addIssue({ code: 'custom', message: `a condition has exactly one of ${JOURNEY_CONDITION_KINDS.join(', ')}; got ${keys.length === 0 ? 'none' : keys.join(', ')}` });
    }),
);

const WaitSchema = z
  .object({
    days: z.number().int().min(0).max(3650).optional(),
    hours: z.number().int().min(0).max(10_000).optional(),
    minutes: z.number().int().min(0).max(100_000).optional(),
    seconds: z.number().int().min(0).max(1_000_000).optional(),
    until_time: TimeOfDay.optional().describe("Until this time of day in the contact's time zone (workspace: UTC when unknown)"),
    until_event: EventMatch.optional().describe('Until the contact performs this event (needs timeout)'),
    timeout: Duration.optional().describe('How long to wait for until_event'),
  })
  .strict()
  .superRefine((w, ctx) => {
    const duration = (w.days ?? 0) + (w.hours ?? 0) + (w.minutes ?? 0) + (w.seconds ?? 0) > 0;
    const modes = [duration, w.until_time !== undefined, w.until_event !== undefined].filter(Boolean).length;
    if (modes !== 1) ctx.addIssue({ code: 'custom', message: 'a wait is exactly one of: a duration (days/hours/minutes/seconds), until_time, until_event' });
    if (w.until_event && !w.timeout) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'until_event needs a timeout' });
    if (!w.until_event && w.timeout) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'timeout belongs to until_event' });
  });

const Url = z.string().max(2000).regex(/^https?:\/\/[^\s]+$/, { error: (i) => `must be an http:// or https:// URL, got ${JSON.stringify(String(i.input).slice(0, 80))}` });
const Payload = z.record(z.string(), z.unknown());

const StepSchema = z
  .object({
    id: StepId,
    name: z.string().max(200).optional(),
    next: StepId.optional().describe('The step after this one (default: the next in the list; none after the last)'),
    wait: WaitSchema.optional(),
    on_timeout: StepId.optional().describe('until_event waits: where a timeout goes (default: next)'),
    branch: z
      .object({ match: z.enum(['all', 'any']).optional(), conditions: z.array(JourneyConditionSchema).min(1).max(50), then: StepId, else: StepId })
      .strict()
      .optional(),
    split: z
      .object({ variants: z.array(z.object({ name: Name, weight: z.number().int().min(1).max(10_000), next: StepId }).strict()).min(2).max(20) })
      .strict()
      .optional()
      .describe('A/B/n: each contact gets one variant, the same one on every retry'),
    email: z.object({ template: Name.describe('Template key'), topic: Name.optional().describe("Consent topic (default: the journey's)") }).strict().optional(),
    sms: z.object({ text: z.string().min(1).max(1600), topic: Name.optional() }).strict().optional(),
    webhook: z.object({ url: Url, payload: Payload.optional(), topic: Name.optional() }).strict().optional(),
    notify_owner: z.object({ url: Url, message: z.string().max(2000).optional() }).strict().optional().describe("A webhook to the contact's owner (trait owner_email)"),
    update: z
      .object({
        trait: z.object({ name: Name, value: z.union([Scalar, z.null()]) }).strict().optional(),
        stage: z.object({ dimension: z.enum(['lifecycle', 'engagement']).optional(), value: Name }).strict().optional(),
        add_to_list: Name.optional().describe('A static segment'),
      })
      .strict()
      .refine((u) => [u.trait, u.stage, u.add_to_list].filter((v) => v !== undefined).length === 1, { error: 'an update is exactly one of trait, stage, add_to_list' })
      .optional(),
    goal: z.literal(true).optional().describe("A checkpoint: the run converts here when the journey's goal is reached"),
    exit: z.literal(true).optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    const kinds = STEP_KINDS.filter((k) => step[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `a step has exactly one of ${STEP_KINDS.join(', ')}; got ${kinds.length === 0 ? 'none' : kinds.join(', ')}` });
    if (step.on_timeout && !step.wait?.until_event) ctx.addIssue({ code: 'custom', path: ['on_timeout'], message: 'on_timeout belongs to a wait with until_event' });
    if (step.next && (step.branch || step.split || step.exit)) ctx.addIssue({ code: 'custom', path: ['next'], message: `a ${kinds[0]} step chooses its own next step` });
  });
export const STEP_KINDS = ['wait', 'branch', 'split', 'email', 'sms', 'webhook', 'notify_owner', 'update', 'goal', 'exit'] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export type JourneyStep = z.infer<typeof StepSchema>;

const Trigger = z
  .object({
    segment: z.object({ name: Name, on: z.enum(['entered', 'exited']).optional(), include_existing: z.boolean().optional().describe('At launch, enroll the members the segment has then') }).strict().optional(),
    event: EventMatch.optional(),
    stage: z.object({ dimension: z.enum(['lifecycle', 'engagement']).optional(), to: Name, from: Name.optional() }).strict().optional(),
    date: z
      .object({ trait: Name.describe('A date trait, e.g. renewal_date'), offset_days: z.number().int().min(-3650).max(3650).optional().describe('-30: thirty days before the date (checked once a day, UTC)') })
      .strict()
      .optional(),
    manual: z.literal(true).optional().describe('Only `keel journeys enroll` and POST .../enrollments'),
  })
  .strict()
  .superRefine((t, ctx) => {
    const kinds = Object.keys(t).filter((k) => (t as Record<string, unknown>)[k] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `a trigger is exactly one of segment, event, stage, date, manual; got ${kinds.length === 0 ? 'none' : kinds.join(', ')}` });
  });
export type JourneyTrigger = z.infer<typeof Trigger>;

export const JourneyDefinitionSchema = z
  .object({
    key: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (i) => `a journey key is lower-case letters, digits, _ and -, got ${JSON.stringify(i.input)}` }),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    topic: Name.describe('The consent topic of its messages'),
    priority: z.number().int().min(0).max(100).optional().describe('Cap arbitration: higher wins the last slot'),
    max_per_hour: z.number().int().min(1).max(1_000_000).optional().describe('Throttle: sends per hour for this journey'),
    trigger: Trigger,
    entry: z
      .object({
        rule: z.enum(['once', 'once_per_period', 'every_time']).optional().describe('default once'),
        period_days: z.number().int().min(1).max(3650).optional().describe('once_per_period: the period'),
        max_concurrent: z.number().int().min(1).max(100).optional().describe('Active runs one contact may have at a time (default 1)'),
      })
      .strict()
      .optional(),
    exit: z.object({ on_unsubscribe: z.boolean().optional(), on_leaving_segment: z.boolean().optional() }).strict().optional(),
    goal: z.object({ event: EventMatch, within_days: z.number().int().min(1).max(3650).optional().describe('default 30') }).strict().optional(),
    holdout: z.number().min(0).max(50).optional().describe('Percent of entrants held out (no steps), for measuring lift'),
    steps: z.array(StepSchema).min(1).max(200),
  })
  .strict()
  .superRefine((d, ctx) => {
    const rule = d.entry?.rule ?? 'once';
    if (rule === 'once_per_period' && !d.entry?.period_days) ctx.addIssue({ code: 'custom', path: ['entry', 'period_days'], message: 'once_per_period needs period_days' });
    if (d.exit?.on_leaving_segment && !d.trigger.segment) ctx.addIssue({ code: 'custom', path: ['exit', 'on_leaving_segment'], message: 'on_leaving_segment needs a segment trigger' });
  });

export type JourneyDefinition = z.infer<typeof JourneyDefinitionSchema>;
