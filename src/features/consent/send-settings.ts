import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './consent.queries.ts';
import { getPolicies, POLICY_CACHE as POLICIES, type WorkspacePolicies } from './policies.service.ts';
import { getTopicByKey, TOPIC_CACHE as TOPICS, type Topic } from './topics.service.ts';

// The settings every send reads: cached for a moment (SETTINGS_TTL_MS), dropped at once on
// a change made in this process. Consent and suppressions are never cached: an
// unsubscribe takes effect on the next send.

/** getPolicies through the send-path cache. */
export const getCachedPolicies = (db: Kysely<Database>, workspaceId: string): Promise<WorkspacePolicies> =>
  POLICIES.get(db, workspaceId, () => getPolicies(db, workspaceId));

/** getTopicByKey through the cache of the workspace's topics; a key not in it is looked up (a topic just created elsewhere). */
export async function getCachedTopicByKey(db: Kysely<Database>, workspaceId: string, key: string): Promise<Topic> {
  const topics = typeof key === 'string' ? await TOPICS.get(db, workspaceId, () => q.selectTopics(db, workspaceId)) : [];
  return topics.find((t) => t.key === key) ?? getTopicByKey(db, workspaceId, key);
}
