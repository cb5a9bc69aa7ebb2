import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

/** Which journey step a message belongs to (stored on the message row by the gate). */
export interface JourneyMessageContext {
  id: string;
  version: number;
  stepId: string;
  variant?: string | undefined;
  priority?: number | undefined;
  maxPerHour?: number | undefined;
}

export type JourneyChannelContent =
  | { channel: 'email'; templateKey: string }
  | { channel: 'sms'; text: string }
  | { channel: 'webhook'; url: string; payload: Record<string, unknown> };

export interface JourneySendRequest {
  workspaceId: string;
  contactId: string;
  topicKey: string;
  /** uuid derived from the step's idempotency key: the gate refuses a second send with it. */
  messageId: string;
  content: JourneyChannelContent;
  journey: JourneyMessageContext;
  now: Date;
}

/** The gate's answer, as a journey reads it. */
export type JourneySendOutcome =
  | { status: 'sent' | 'queued'; messageId: string }
  | { status: 'deferred'; reason: string; notBefore: Date; detail: string }
  | { status: 'blocked'; reason: string; detail: string };

/**
 * Everything a journey does outside Keel's own tables: render and send through the gate.
 * Built at the composition root (src/journey-effects.ts) so the engine imports neither
 * templates nor messaging.
 */
export interface JourneyEffects {
  send(db: Kysely<Database>, request: JourneySendRequest): Promise<JourneySendOutcome>;
  /**
   * Email steps of many runs at once (rendered per template and step, gated per workspace
   * and topic as a batch): an outcome each, in order, as `send` would give. A message id
   * already used is `sent` (a crashed attempt went out) and nothing is sent again.
   */
  sendBatch(db: Kysely<Database>, requests: readonly JourneySendRequest[]): Promise<JourneySendOutcome[]>;
  /** The gate's decision without sending, and the render check (simulation). */
  check(db: Kysely<Database>, request: JourneySendRequest): Promise<JourneySendOutcome | { status: 'allowed' }>;
  /** Throws `invalid` naming the missing merge fields when the template cannot render for the contact. */
  checkRender(db: Kysely<Database>, request: JourneySendRequest & { content: { channel: 'email'; templateKey: string } }): Promise<void>;
  /** Whether a message with this id is in the log (a crashed attempt that went out). */
  messageExists(db: Kysely<Database>, workspaceId: string, messageId: string): Promise<boolean>;
  /** Whether the contact may still get the topic (exit on unsubscribe). */
  isSubscribed(db: Kysely<Database>, workspaceId: string, contactId: string, topicKey: string): Promise<boolean>;
}
