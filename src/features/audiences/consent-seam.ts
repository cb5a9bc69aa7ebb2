import { sql, type RawBuilder } from 'kysely';
import { subscribedToTopicSql } from '../consent/index.ts';
import type { Condition } from './conditions.ts';

/**
 * Compiles `consent: { topic, status }` to a boolean SQL expression over the contact id
 * with the consent feature's own fragment, so the segment stays one query and follows the
 * topic's regime (opt-in: only a recorded opt-in counts; opt-out: everyone but those who
 * opted out or are pending). `status` defaults to "subscribed". The send gate also checks
 * suppressions; a segment on consent does not.
 */
export function compileConsentCondition(test: NonNullable<Condition['consent']>, contactId: RawBuilder<unknown>, workspaceId: string, _path: string): RawBuilder<unknown> {
  const subscribed = subscribedToTopicSql(workspaceId, test.topic, contactId);
  return test.status === 'unsubscribed' ? sql`(not ${subscribed})` : subscribed;
}
