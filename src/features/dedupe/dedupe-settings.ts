import { z } from '@hono/zod-openapi';

export const SURVIVORSHIP_RULES = ['most_recent', 'most_complete', 'source_priority', 'survivor_first'] as const;
export type SurvivorshipRule = (typeof SURVIVORSHIP_RULES)[number];

const Rule = z.enum(SURVIVORSHIP_RULES).describe(
  'most_recent: the value of the record updated last; most_complete: the longer non-empty value; source_priority: the value of the record whose traits.source ranks first in source_priority; survivor_first: the surviving record keeps its value, gaps filled from the other',
);

const EntityRules = z
  .object({
    default: Rule,
    fields: z.record(z.string(), Rule).describe('Per column: the rule for that column (first_name, title, name, domain, ...)'),
  })
  .strict();

export const DedupeSettingsSchema = z
  .object({
    auto_merge_threshold: z.number().min(0).max(1).nullable().describe('Pairs with a match probability at or above this are merged without review; null: never merge without review'),
    review_threshold: z.number().min(0).max(1).describe('Pairs from this probability up to the auto-merge threshold wait in the review queue'),
    max_block_size: z.number().int().min(2).max(10_000).describe('Blocking keys shared by more records are skipped as uninformative'),
    source_priority: z.array(z.string().min(1).max(100)).max(50).describe('traits.source values, most trusted first'),
    contacts: EntityRules,
    accounts: EntityRules,
  })
  .strict()
  .refine((s) => s.auto_merge_threshold === null || s.review_threshold <= s.auto_merge_threshold, { message: 'review_threshold must not exceed auto_merge_threshold', path: ['review_threshold'] })
  .openapi('DedupeSettings');

export type DedupeSettings = z.infer<typeof DedupeSettingsSchema>;

/**
 * The default: merge without asking only when the model is all but certain; names keep
 * their fullest spelling ("Robert" over "Bob"), contact details and job data the newest.
 */
export const DEFAULT_DEDUPE_SETTINGS: DedupeSettings = {
  auto_merge_threshold: 0.99,
  review_threshold: 0.5,
  max_block_size: 100,
  source_priority: ['crm', 'import', 'api', 'web'],
  contacts: {
    default: 'most_recent',
    fields: { first_name: 'most_complete', last_name: 'most_complete', email: 'survivor_first' },
  },
  accounts: {
    default: 'most_complete',
    fields: { name: 'most_complete', domain: 'survivor_first', external_id: 'survivor_first', employees: 'most_recent', annual_revenue: 'most_recent' },
  },
};

/** The JSON Schema of the settings document (served by the API, written to schemas/). */
export const dedupeSettingsJsonSchema = () => z.toJSONSchema(DedupeSettingsSchema, { io: 'input' });
