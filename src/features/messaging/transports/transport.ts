import type { Kysely } from 'kysely';
import type { Database, MessageKind, TransportName } from '../../../platform/db/schema.ts';

/** A message the gate has cleared, ready for a transport. */
export interface ClearedEmail {
  /** The caller's id for the log row; null: the database picks one. */
  messageId: string | null;
  workspaceId: string;
  contactId: string;
  topicId: string;
  kind: MessageKind;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
}

/** Hands a cleared message to a provider and logs it in `messages`. Reached only through the gate. */
export interface Transport {
  readonly name: TransportName;
  deliver(db: Kysely<Database>, email: ClearedEmail): Promise<{ messageId: string }>;
  close(): Promise<void>;
}
