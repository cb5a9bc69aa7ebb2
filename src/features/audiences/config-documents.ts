import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { formatPath } from './conditions.ts';

const MAX_DOCUMENT_BYTES = 256 * 1024;

/** Parses YAML (JSON is YAML too) into a plain value; `invalid` names the line at fault. */
export function parseYamlText(text: string, what: string): unknown {
  if (Buffer.byteLength(text) > MAX_DOCUMENT_BYTES) throw new AppError('too_large', `${what} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    if (error instanceof YAMLParseError) throw new AppError('invalid', `${what} is not valid YAML: ${error.message.split('\n')[0]}`);
    throw error;
  }
}

/** Validates a configuration document; the error lists each offending node by path. */
export function validateDocument<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') return `${path || what}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${path || what}: ${issue.message}`;
  });
  throw new AppError('invalid', issues.slice(0, 10).join('; '), { issues: result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })) });
}

/** A JSON Schema (draft 2020-12) of a configuration kind, for editors and the API. */
export function toPublishedSchema(schema: z.ZodType, id: string, title: string): Record<string, unknown> {
  return { ...z.toJSONSchema(schema, { io: 'input' }), $id: `https://keel.dev/schemas/${id}.schema.json`, title };
}
