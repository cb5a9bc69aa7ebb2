import { z } from 'zod';
import { ConditionSchema } from './conditions.ts';
import { parseYamlText, validateDocument } from './config-documents.ts';

const StageName = z.string().min(1).max(60).regex(/^[a-z][a-z0-9_]*$/, { error: (i) => `a stage name is lower-case letters, digits and _, got ${JSON.stringify(i.input)}` });

export const LIFECYCLE_DEFAULT_ORDER = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'evangelist'] as const;

/** Stage rules of a workspace as a YAML document (schemas/stages.schema.json). */
export const StageRulesSchema = z
  .object({
    lifecycle: z
      .array(
        z
          .object({
            stage: StageName,
            when: ConditionSchema,
            recycle: z.boolean().optional().describe('May move a contact backwards (e.g. recycled); other stages only move forward'),
          })
          .strict(),
      )
      .max(30)
      .optional()
      .describe('In funnel order (subscriber, lead, mql, sql, opportunity, customer, evangelist, or your own): a contact moves to the furthest stage whose rule holds'),
    engagement: z
      .array(z.object({ stage: StageName, when: ConditionSchema.optional().describe('Left out: always (a catch-all, last)') }).strict())
      .max(30)
      .optional()
      .describe('The first stage whose rule holds (e.g. highly_engaged, engaged, new, dormant)'),
  })
  .strict()
  .superRefine((doc, ctx) => {
    for (const list of ['lifecycle', 'engagement'] as const) {
      const seen = new Set<string>();
      (doc[list] ?? []).forEach((r, i) => {
        if (seen.has(r.stage)) ctx.addIssue({ code: 'custom', path: [list, i, 'stage'], message: `stage ${JSON.stringify(r.stage)} is listed twice` });
        seen.add(r.stage);
      });
    }
  });

export type StageRules = z.infer<typeof StageRulesSchema>;

export function parseStageRules(input: string | unknown): StageRules {
  const value = typeof input === 'string' ? parseYamlText(input, 'stage rules') : input;
  return validateDocument(StageRulesSchema, value, 'stage rules');
}

export interface StageMove {
  contactId: string;
  from: string | null;
  to: string;
}

/** Lifecycle: forward to the furthest matching stage; backwards only to a matching recycle stage. */
export function decideLifecycle(rules: NonNullable<StageRules['lifecycle']>, current: string | null, hits: boolean[]): string | null {
  const position = (stage: string | null) => (stage === null ? -1 : rules.findIndex((r) => r.stage === stage));
  let forward = -1;
  rules.forEach((r, i) => {
    if (hits[i] && !r.recycle && i > forward) forward = i;
  });
  if (forward > position(current)) return rules[forward]!.stage;
  const recycle = rules.findIndex((r, i) => hits[i] && r.recycle);
  if (recycle >= 0 && rules[recycle]!.stage !== current) return rules[recycle]!.stage;
  return current;
}

/** Engagement: the first matching stage; none matching keeps the current one. */
export function decideEngagement(rules: NonNullable<StageRules['engagement']>, current: string | null, hits: boolean[]): string | null {
  const first = rules.findIndex((_, i) => hits[i]);
  return first >= 0 ? rules[first]!.stage : current;
}
