import { z } from 'zod';
import { ConditionSchema } from './conditions.ts';
import { parseYamlText, validateDocument } from './config-documents.ts';

export const SEGMENT_NAME = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _.\-&/()]*$/u, { error: (i) => `a segment name is letters, digits, spaces and _ . - & / ( ), got ${JSON.stringify(i.input)}` });

/** A segment as a YAML document (schemas/segment.schema.json). */
export const SegmentDefinitionSchema = z
  .object({
    name: SEGMENT_NAME,
    description: z.string().max(2000).optional(),
    subject: z.enum(['contact', 'account']).optional().describe('What the segment holds (default contact)'),
    type: z.enum(['dynamic', 'static']).optional().describe('dynamic follows the rules; static is a hand-picked or imported list (default dynamic)'),
    match: z.enum(['all', 'any']).optional().describe('Whether every rule or any rule must hold (default all)'),
    rules: z.array(ConditionSchema).max(100).optional(),
    members: z.array(z.string().uuid()).max(100_000).optional().describe('Static segments: the ids of the members'),
  })
  .strict()
  .superRefine((doc, ctx) => {
    const type = doc.type ?? 'dynamic';
    if (type === 'dynamic' && (!doc.rules || doc.rules.length === 0)) ctx.addIssue({ code: 'custom', path: ['rules'], message: 'a dynamic segment needs at least one rule' });
    if (type === 'dynamic' && doc.members) ctx.addIssue({ code: 'custom', path: ['members'], message: 'members are for static segments; a dynamic segment follows its rules' });
    if (type === 'static' && doc.rules) ctx.addIssue({ code: 'custom', path: ['rules'], message: 'a static segment has members, not rules' });
  });

export type SegmentDefinition = z.infer<typeof SegmentDefinitionSchema>;

/** From YAML text, or an already parsed object (the API's JSON body). */
export function parseSegmentDefinition(input: string | unknown): SegmentDefinition {
  const value = typeof input === 'string' ? parseYamlText(input, 'segment definition') : input;
  return validateDocument(SegmentDefinitionSchema, value, 'segment');
}
