import type { RawBuilder } from 'kysely';
import type { Condition } from './conditions.ts';
import { invalid } from './field-tests.queries.ts';

/**
 * SEAM for the consent feature (issue 4, built in parallel): compile
 * `consent: { topic, status }` to a boolean SQL expression over the contact id. The
 * condition is part of the published schema already; until consent tables exist in this
 * codebase, a segment using it is refused with a clear message instead of guessing.
 */
export function compileConsentCondition(
  test: NonNullable<Condition['consent']>,
  _contactId: RawBuilder<unknown>,
  _workspaceId: string,
  path: string,
): RawBuilder<unknown> {
  throw invalid(path, `consent conditions (topic ${JSON.stringify(test.topic)}) need the consent feature, which is not installed in this build`);
}
