import { z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';

/** The body of every "apply" and "preview" route: the document as YAML text, or as JSON. */
export const ConfigBody = z
  .object({
    yaml: z.string().max(256 * 1024).optional().openapi({ description: 'The document as YAML (as in a file in git)' }),
    definition: z.record(z.string(), z.unknown()).optional().openapi({ description: 'The document as a JSON object' }),
  })
  .strict()
  .openapi('ConfigDocument');

export function documentOf(body: z.infer<typeof ConfigBody>): unknown {
  if ((body.yaml === undefined) === (body.definition === undefined)) throw new AppError('invalid', 'Send exactly one of "yaml" (text) or "definition" (an object)', { field: 'body' });
  return body.yaml ?? body.definition;
}

export const NameParam = z.object({
  name: z.string().min(1).max(200).openapi({ param: { name: 'name', in: 'path' }, description: 'The name (URL-encoded)' }),
});

export const AnyObject = z.record(z.string(), z.unknown());
export const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });
