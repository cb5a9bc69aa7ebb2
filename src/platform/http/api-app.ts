import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.ts';
import { validationError } from './error-handler.ts';

/** An OpenAPIHono whose request validation failures become `invalid` AppErrors. */
export function createApiApp(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error as z.ZodError, `request ${result.target}`);
    },
  });
}

/** Rows hold Dates; the API speaks JSON. One deep conversion, typed loosely on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toJson(value: unknown): any {
  return JSON.parse(JSON.stringify(value));
}

export const IdParam = z.object({
  id: z.string().uuid().openapi({ param: { name: 'id', in: 'path' }, description: 'A UUID' }),
});

export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }) })
  .openapi('Error');

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** The error responses every management route can give. */
export const ERROR_RESPONSES = {
  400: errorResponse('Invalid request: the message names the field and the value'),
  401: errorResponse('Missing, unknown or revoked admin key'),
  403: errorResponse('The key may not do this (write key, or viewer role on a change)'),
  404: errorResponse('Not found in this workspace'),
} as const;

export const isoDate = z.string().openapi({ format: 'date-time' });
