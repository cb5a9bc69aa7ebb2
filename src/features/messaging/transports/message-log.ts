import { AppError, sqlStateOf } from '../../../platform/errors.ts';
import type { Insertable } from 'kysely';
import type { MessageStatus, MessagesTable, TransportName } from '../../../platform/db/schema.ts';
import type { WorkspacePolicies } from '../../consent/index.ts';
import { insertMessage, insertMessagesSkippingDuplicates, markMessagesSent, updateMessage, type StoredMessage } from '../messages.queries.ts';
import type { Attempt, ClearedMessage, Db, Outgoing, Transport } from './transport.ts';

/** Retries with exponential backoff: base * 2^(attempt-1), capped, with jitter; dead after maxAttempts. */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
  maxAttempts: number;
  /** How long a claimed attempt may take before another worker may take the message over. */
  leaseMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ baseMs: 60_000, capMs: 6 * 3_600_000, maxAttempts: 8, leaseMs: 10 * 60_000 });

/** "Equal jitter": half the exponential delay, plus a random part of the other half. */
export function retryDelayMs(attempts: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponential = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export interface LoggedDelivery {
  id: string;
  status: MessageStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  /** hard: the recipient bounced (the gate suppresses the address). */
  failure: 'soft' | 'hard' | 'dead' | null;
  error: string | null;
}

/**
 * First delivery of a cleared message: the row is written first (status retrying, a
 * lease ahead), so a duplicate messageId is refused before any provider sees the message
 * and a crash mid-attempt leaves a row the retry worker picks up; then one attempt, and
 * the row records its result.
 */
export async function deliverNew(db: Db, transport: Transport, m: ClearedMessage, policies: WorkspacePolicies, retry: RetryPolicy): Promise<LoggedDelivery> {
  let row: { id: string };
  try {
    row = await insertMessage(db, messageRowOf(m, transport.name, retry));
  } catch (error) {
    if (sqlStateOf(error) === '23505') throw new AppError('conflict', `message ${m.messageId} was already sent`, { field: 'messageId' });
    throw error;
  }
  return record(db, m.workspaceId, row.id, 0, await transport.attempt(outgoingOf(row.id, m), policies), retry, m.now);
}

/**
 * First delivery of many cleared messages of one workspace (each with its messageId): the
 * rows in one insert that skips ids already used ('conflict': nothing handed over), every
 * new message handed to the transport at once (a pool queues them on its connections),
 * the ones sent recorded in one update, the others one by one as deliverNew does.
 */
export async function deliverBatch(db: Db, transport: Transport, messages: readonly ClearedMessage[], policies: WorkspacePolicies, retry: RetryPolicy): Promise<Array<LoggedDelivery | 'conflict'>> {
  if (messages.length === 0) return [];
  const workspaceId = messages[0]!.workspaceId;
  if (messages.some((m) => !m.messageId || m.workspaceId !== workspaceId)) throw new Error('deliverBatch: every message needs its messageId, all of one workspace');
  const fresh = await insertMessagesSkippingDuplicates(db, messages.map((m) => messageRowOf(m, transport.name, retry)));
  const attempts = await Promise.all(messages.map((m) => (fresh.has(m.messageId!) ? transport.attempt(outgoingOf(m.messageId!, m), policies) : null)));
  await markMessagesSent(db, workspaceId, messages.flatMap((m, k) => {
    const a = attempts[k];
    return a?.ok ? [{ id: m.messageId!, providerMessageId: a.providerMessageId, deliveredAt: m.now }] : [];
  }));
  return Promise.all(messages.map(async (m, k): Promise<LoggedDelivery | 'conflict'> => {
    const a = attempts[k];
    if (!a) return 'conflict';
    if (a.ok) return { id: m.messageId!, status: 'sent', attempts: 1, nextAttemptAt: null, failure: null, error: null };
    return record(db, workspaceId, m.messageId!, 0, a, retry, m.now);
  }));
}

/** The log row of a first attempt: status retrying with a lease ahead, until the attempt's result is recorded. */
function messageRowOf(m: ClearedMessage, transport: TransportName, retry: RetryPolicy): Insertable<MessagesTable> {
  return {
    ...(m.messageId ? { id: m.messageId } : {}),
    workspace_id: m.workspaceId,
    contact_id: m.contactId,
    topic_id: m.topicId,
    channel: m.channel,
    transport,
    kind: m.kind,
    to_address: m.to,
    from_address: m.from,
    subject: m.subject,
    text_body: m.text,
    html_body: m.html,
    headers: JSON.stringify(m.headers),
    sent_at: m.now,
    status: 'retrying',
    attempts: 0,
    next_attempt_at: new Date(m.now.getTime() + retry.leaseMs),
    journey_id: m.journey?.id ?? null,
    journey_version: m.journey?.version ?? null,
    step_id: m.journey?.stepId ?? null,
    variant: m.journey?.variant ?? null,
    journey_priority: m.journey?.priority ?? null,
  };
}

const outgoingOf = (id: string, m: ClearedMessage): Outgoing => ({ id, workspaceId: m.workspaceId, channel: m.channel, to: m.to, from: m.from, subject: m.subject, text: m.text, html: m.html, headers: m.headers });

/** A retry of a stored message (claimed by the worker, or a dead letter sent again). */
export async function deliverAgain(db: Db, transport: Transport, row: StoredMessage, policies: WorkspacePolicies, retry: RetryPolicy, now: Date): Promise<LoggedDelivery> {
  const outgoing: Outgoing = {
    id: row.id, workspaceId: row.workspace_id, channel: row.channel as Outgoing['channel'], to: row.to_address, from: row.from_address,
    subject: row.subject, text: row.text_body, html: row.html_body, headers: row.headers,
  };
  return record(db, row.workspace_id, row.id, row.attempts, await transport.attempt(outgoing, policies), retry, now);
}

/** Ends a stored message for good (e.g. suppressed since it was queued). */
export async function markDead(db: Db, row: StoredMessage, error: string): Promise<void> {
  await updateMessage(db, row.workspace_id, row.id, { status: 'dead', next_attempt_at: null, last_error: error.slice(0, 1000) });
}

/** Records one attempt's result on its row (sent, retry scheduled, bounced or dead). */
async function record(db: Db, workspaceId: string, id: string, before: number, attempt: Attempt, retry: RetryPolicy, now: Date): Promise<LoggedDelivery> {
  const attempts = before + 1;
  if (attempt.ok) {
    await updateMessage(db, workspaceId, id, { status: 'sent', attempts, next_attempt_at: null, last_error: null, delivered_at: now, provider_message_id: attempt.providerMessageId });
    return { id, status: 'sent', attempts, nextAttemptAt: null, failure: null, error: null };
  }
  let status: MessageStatus = attempt.failure === 'hard' ? 'bounced' : 'dead';
  let nextAttemptAt: Date | null = null;
  if (attempt.failure === 'soft' && attempts < retry.maxAttempts) {
    status = 'retrying';
    nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts, retry));
  }
  const error = attempt.failure === 'soft' && status === 'dead' ? `${attempt.error} (gave up after ${attempts} attempts)` : attempt.error;
  await updateMessage(db, workspaceId, id, { status, attempts, next_attempt_at: nextAttemptAt, last_error: error.slice(0, 1000) });
  return { id, status, attempts, nextAttemptAt, failure: attempt.failure, error };
}
