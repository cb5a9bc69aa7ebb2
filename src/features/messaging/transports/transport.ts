import type { Kysely } from 'kysely';
import type { Database, MessageKind, TransportName } from '../../../platform/db/schema.ts';
import type { Channel, WorkspacePolicies } from '../../consent/index.ts';
import type { JourneyRef } from '../send-request.ts';

/** A message the gate has cleared, ready for a transport. */
export interface ClearedMessage {
  /** The caller's id for the log row; null: the database picks one. */
  messageId: string | null;
  workspaceId: string;
  contactId: string;
  topicId: string;
  kind: MessageKind;
  channel: Channel;
  /** email address, E.164 phone number or webhook URL */
  to: string;
  from: string;
  subject: string;
  /** email and SMS text; a webhook's JSON body */
  text: string;
  html: string | null;
  headers: Record<string, string>;
  journey: JourneyRef | null;
  now: Date;
}

/** What a transport needs to send one message (a stored row, for first attempts and retries alike). */
export interface Outgoing {
  id: string;
  workspaceId: string;
  channel: Channel;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
}

/**
 * One attempt's result. soft: worth retrying (4xx SMTP, 5xx/429/timeouts); hard: the
 * recipient does not exist (SMTP 5xx on the recipient), suppress it; dead: refused for
 * good, no retry (a webhook's 4xx).
 */
export type Attempt = { ok: true; providerMessageId: string | null } | { ok: false; failure: 'soft' | 'hard' | 'dead'; error: string };

/** Hands one message to a provider. Reached only through the gate (send-gate.ts). */
export interface Transport {
  readonly name: TransportName;
  attempt(message: Outgoing, policies: WorkspacePolicies): Promise<Attempt>;
  close(): Promise<void>;
}

export type Db = Kysely<Database>;
