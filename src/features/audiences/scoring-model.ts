import { z } from 'zod';
import { ConditionSchema, PropertyTestSchema } from './conditions.ts';
import { parseYamlText, validateDocument } from './config-documents.ts';

const RuleName = z.string().min(1).max(100);
const Points = z.number().int().min(-1000).max(1000).refine((n) => n !== 0, { error: 'points must not be 0' });

export const FitRuleSchema = z
  .object({ name: RuleName, points: Points.describe('Added when the condition holds; negative for disqualifiers'), when: ConditionSchema })
  .strict();

export const EngagementRuleSchema = z
  .object({
    name: RuleName,
    event: z.string().min(1).max(200).describe('Event name (track event, or page name)'),
    where: z.array(PropertyTestSchema).max(20).optional(),
    points: Points.describe('Per occurrence, before decay; negative for e.g. careers-page visits'),
    cap: z
      .object({ max: z.number().int().min(1).max(10_000), per: z.enum(['day', 'week', 'month']) })
      .strict()
      .optional()
      .describe('Count at most `max` occurrences per calendar period (UTC)'),
  })
  .strict();

/** A scoring model as a YAML document (schemas/scoring-model.schema.json). */
export const ScoringModelSchema = z
  .object({
    name: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9_-]*$/, { error: (i) => `a model name is lower-case letters, digits, _ and -, got ${JSON.stringify(i.input)}` }),
    description: z.string().max(2000).optional(),
    fit: z.array(FitRuleSchema).max(100).optional().describe('Rules on the contact and its account (contact conditions)'),
    engagement: z.array(EngagementRuleSchema).max(100).optional(),
    decay: z.object({ half_life_days: z.number().positive().max(3650) }).strict().optional().describe('Engagement points halve every half_life_days'),
    lookback_days: z.number().int().min(1).max(3650).optional().describe('Events older than this score nothing (default 365)'),
    account_fit: z.array(FitRuleSchema).max(100).optional().describe('Rules on the account itself (account conditions), for account scores'),
  })
  .strict()
  .superRefine((model, ctx) => {
    const seen = new Set<string>();
    const rules = [...(model.fit ?? []).map((r, i) => ['fit', i, r.name] as const), ...(model.engagement ?? []).map((r, i) => ['engagement', i, r.name] as const)];
    for (const [list, i, name] of rules) {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [list, i, 'name'], message: `rule name ${JSON.stringify(name)} is used twice; a score change names its rule` });
      seen.add(name);
    }
  });

export type ScoringModel = z.infer<typeof ScoringModelSchema>;
export type EngagementRule = z.infer<typeof EngagementRuleSchema>;

export function parseScoringModel(input: string | unknown): ScoringModel {
  const value = typeof input === 'string' ? parseYamlText(input, 'scoring model') : input;
  return validateDocument(ScoringModelSchema, value, 'scoring model');
}
