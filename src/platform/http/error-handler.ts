import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { AppError, httpStatusOf, isAppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

/** The one place where errors become HTTP responses. */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (isAppError(error)) return respond(c, error);
    if (error instanceof HTTPException) {
      const code = error.status === 401 ? 'unauthorized' : error.status === 404 ? 'not_found' : 'invalid';
      return c.json<ErrorBody>({ error: { code, message: error.message } }, error.status);
    }
    logger.error({ err: error, path: c.req.path }, 'unhandled error');
    return c.json<ErrorBody>({ error: { code: 'internal', message: 'Internal error; the server log has the details' } }, 500);
  };
}

export function respond(c: Context, error: AppError): Response {
  const body: ErrorBody = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  return c.json(body, httpStatusOf(error.code) as ContentfulStatusCode);
}

/** Turns a zod failure into an `invalid` error that names each field and what is wrong. */
export function validationError(error: ZodError, where: string): AppError {
  const issues = error.issues.map((issue) => {
    const path = issue.path.join('.') || where;
    if (issue.code === 'unrecognized_keys') return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')} in ${where}`;
    return `${path}: ${issue.message}`;
  });
  return new AppError('invalid', `Invalid ${where}: ${issues.join('; ')}`, { issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message, code: i.code })) });
}
