import { z } from '@hono/zod-openapi';
import { isoDate } from '../../platform/http/api-app.ts';

export const EntityParam = z.enum(['contact', 'account']).openapi({ description: 'contact or account' });

export const NumericIdParam = z.object({
  id: z.string().regex(/^\d{1,18}$/, 'a positive integer').openapi({ param: { name: 'id', in: 'path' }, description: 'A numeric id' }),
});

export const EvidenceSchema = z
  .object({
    field: z.string(),
    kind: z.string(),
    level: z.string().openapi({ description: 'Comparison level: exact, close, similar, different, missing, ...' }),
    weight: z.number().openapi({ description: 'log2(m/u): how far this field moved the match weight' }),
    a: z.string().openapi({ description: 'Normalized value of the first record' }),
    b: z.string().openapi({ description: 'Normalized value of the second record' }),
  })
  .openapi('DedupeEvidence');

export const PairSchema = z
  .object({
    id: z.string(),
    entity: EntityParam,
    record_a: z.string().uuid(),
    record_b: z.string().uuid(),
    run_id: z.string(),
    probability: z.number(),
    weight: z.number(),
    evidence: z.array(EvidenceSchema),
    status: z.enum(['pending', 'merged', 'rejected', 'stale']),
    created_at: isoDate,
  })
  .openapi('DedupePair');

const ModelSchema = z.object({
  em: z.string(),
  lambda: z.number(),
  fields: z.array(z.object({ field: z.string(), kind: z.string(), levels: z.array(z.object({ level: z.string(), m: z.number(), u: z.number(), weight: z.number() })) })),
});

export const RunSummarySchema = z
  .object({
    run_id: z.string().nullable(),
    entity: EntityParam,
    dry_run: z.boolean(),
    records: z.number().int(),
    candidate_pairs: z.number().int(),
    all_pairs: z.number(),
    above_auto_merge: z.number().int(),
    in_review_band: z.number().int(),
    merged: z.number().int(),
    queued: z.number().int(),
    thresholds: z.object({ auto_merge: z.number().nullable(), review: z.number() }),
    model: ModelSchema,
    millis: z.number().int(),
    top_pairs: z.array(
      z.object({ record_a: z.string(), record_b: z.string(), probability: z.number(), weight: z.number(), action: z.enum(['merge', 'review']), evidence: z.array(EvidenceSchema) }),
    ),
  })
  .openapi('DedupeRunSummary');

export const RunRowSchema = z
  .object({
    id: z.string(),
    entity: EntityParam,
    dry_run: z.boolean(),
    records: z.number().int(),
    candidate_pairs: z.string(),
    all_pairs: z.string(),
    auto_merged: z.number().int(),
    queued: z.number().int(),
    thresholds: z.record(z.string(), z.unknown()),
    millis: z.number().int(),
    created_at: isoDate,
  })
  .openapi('DedupeRun');

export const MergeOutcomeSchema = z
  .object({
    entity: EntityParam,
    mergeId: z.string(),
    winnerId: z.string().uuid(),
    loserId: z.string().uuid(),
    movedRows: z.record(z.string(), z.number()),
    fieldsChanged: z.array(z.string()),
  })
  .openapi('MergeOutcome');

export const UndoOutcomeSchema = z
  .object({
    entity: EntityParam,
    mergeId: z.string(),
    winnerId: z.string().uuid(),
    loserId: z.string().uuid(),
    restoredRows: z.record(z.string(), z.number()),
    keptNewerValues: z.array(z.string()),
  })
  .openapi('UndoOutcome');

export const MergeRowSchema = z
  .object({
    id: z.string(),
    winner_id: z.string().uuid(),
    loser_id: z.string().uuid(),
    reason: z.string(),
    merged_at: isoDate,
    undone_at: isoDate.nullable(),
    undone_by: z.string().nullable(),
  })
  .passthrough()
  .openapi('MergeRecord');
