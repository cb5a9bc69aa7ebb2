import type { Kysely } from 'kysely';
import { AppError, rethrowConflict } from '../../platform/errors.ts';
import type { Database, TopicRegime } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { WorkspaceCache } from '../../platform/workspace-cache.ts';
import * as q from './consent.queries.ts';

export type Topic = NonNullable<Awaited<ReturnType<typeof q.selectTopicById>>>;
export type Channel = 'email' | 'sms' | 'webhook';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'webhook'];

export interface TopicInput {
  key: string;
  name: string;
  description?: string | null | undefined;
  channels?: string[] | undefined;
  /** opt_in (GDPR/CASL: nobody without a recorded opt-in) or opt_out (CAN-SPAM). */
  regime: TopicRegime;
  /** Opt-ins start pending and need a confirmed link (double opt-in). */
  doubleOptIn?: boolean | undefined;
}

/** The send path's cache of a workspace's topics (see send-settings.ts), dropped at once by a change here. */
export const TOPIC_CACHE = new WorkspaceCache<Topic[]>();

const KEY = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const listTopics = (db: Kysely<Database>, workspaceId: string) => q.selectTopics(db, workspaceId);

/** The topic with this key; `not_found` naming the key and the known keys. */
export async function getTopicByKey(db: Kysely<Database>, workspaceId: string, key: string): Promise<Topic> {
  const topic = typeof key === 'string' ? await q.selectTopicByKey(db, workspaceId, key) : undefined;
  if (topic) return topic;
  const known = (await q.selectTopics(db, workspaceId)).map((t) => t.key);
  throw new AppError('not_found', `Unknown topic ${JSON.stringify(key)}; known topics: ${known.length ? known.join(', ') : '(none yet)'}`, { field: 'topic', value: key });
}

export async function getTopicById(db: Kysely<Database>, workspaceId: string, id: string): Promise<Topic> {
  const topic = await q.selectTopicById(db, workspaceId, id);
  if (!topic) throw new AppError('not_found', `Topic ${id} not found`);
  return topic;
}

export async function createTopic(db: Kysely<Database>, workspaceId: string, input: TopicInput, actor: AuditActor): Promise<Topic> {
  if (typeof input.key !== 'string' || !KEY.test(input.key)) {
    throw new AppError('invalid', `key must be 1 to 63 lower-case letters, digits, - or _, starting with a letter or digit, got ${JSON.stringify(input.key)}`, { field: 'key' });
  }
  const row = {
    workspace_id: workspaceId,
    key: input.key,
    name: checkName(input.name),
    description: input.description ?? null,
    channels: checkChannels(input.channels ?? ['email']),
    regime: checkRegime(input.regime),
    double_opt_in: input.doubleOptIn ?? false,
  };
  const created = await db.transaction().execute(async (trx) => {
    const topic = await q.insertTopic(trx, row).catch((e: unknown) => rethrowConflict(e, `A topic with key ${JSON.stringify(input.key)} already exists`));
    await recordAudit(trx, { workspaceId, actor, action: 'topic.created', objectType: 'topic', objectId: topic.id, details: { key: topic.key, regime: topic.regime, channels: topic.channels } });
    return topic;
  });
  TOPIC_CACHE.invalidate(workspaceId);
  return created;
}

export async function updateTopic(db: Kysely<Database>, workspaceId: string, key: string, changes: Partial<Omit<TopicInput, 'key'>>, actor: AuditActor): Promise<Topic> {
  const set: Parameters<typeof q.updateTopic>[3] = {};
  if (changes.name !== undefined) set.name = checkName(changes.name);
  if (changes.description !== undefined) set.description = changes.description;
  if (changes.channels !== undefined) set.channels = checkChannels(changes.channels);
  if (changes.regime !== undefined) set.regime = checkRegime(changes.regime);
  if (changes.doubleOptIn !== undefined) set.double_opt_in = changes.doubleOptIn;
  TOPIC_CACHE.invalidate(workspaceId);
  const updated = await db.transaction().execute(async (trx) => {
    const topic = await getTopicByKey(trx, workspaceId, key);
    const row = (await q.updateTopic(trx, workspaceId, topic.id, set))!;
    await recordAudit(trx, { workspaceId, actor, action: 'topic.updated', objectType: 'topic', objectId: topic.id, details: { key, changes: set } });
    return row;
  });
  TOPIC_CACHE.invalidate(workspaceId);
  return updated;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) throw new AppError('invalid', `name must be 1 to 200 characters, got ${JSON.stringify(name)}`, { field: 'name' });
  return name.trim();
}

function checkChannels(channels: unknown): string[] {
  if (!Array.isArray(channels) || channels.length === 0) throw new AppError('invalid', 'channels must be a non-empty list', { field: 'channels' });
  for (const c of channels) {
    if (!CHANNELS.includes(c as Channel)) throw new AppError('invalid', `channels has an unknown channel ${JSON.stringify(c)}; known: ${CHANNELS.join(', ')}`, { field: 'channels' });
  }
  return [...new Set(channels as string[])];
}

function checkRegime(regime: unknown): TopicRegime {
  if (regime !== 'opt_in' && regime !== 'opt_out') throw new AppError('invalid', `regime must be "opt_in" or "opt_out", got ${JSON.stringify(regime)}`, { field: 'regime' });
  return regime;
}
