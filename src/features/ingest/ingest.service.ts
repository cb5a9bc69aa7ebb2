import type { Kysely } from 'kysely';
import type { Database, EventType } from '../../platform/db/schema.ts';
import * as q from './ingest.queries.ts';
import { validateEvent, type AcceptedEvent } from './segment-event.ts';

export interface RejectedItem {
  index: number;
  reason: string;
  field: string | null;
}

export interface AcceptResult {
  accepted: number;
  rejected: RejectedItem[];
}

export interface AcceptInput {
  events: unknown[];
  /** Set by the single-event routes; batch items carry their own type. */
  type?: EventType;
  receivedAt: Date;
  batchSentAt?: unknown;
  batchContext?: unknown;
}

/**
 * Validates events and makes them durable in one transaction: valid ones into the inbox
 * (processed by the ingest worker), invalid ones into rejected_events with the reason.
 * When this returns, every event is on disk; nothing is acknowledged before.
 */
export async function acceptEvents(db: Kysely<Database>, workspaceId: string, input: AcceptInput): Promise<AcceptResult> {
  const accepted: AcceptedEvent[] = [];
  const rejectedRows: q.RejectedRow[] = [];
  const rejected: RejectedItem[] = [];
  input.events.forEach((raw, index) => {
    const result = validateEvent({ raw, type: input.type, receivedAt: input.receivedAt, batchSentAt: input.batchSentAt, batchContext: input.batchContext });
    if (result.ok) {
      accepted.push(result.event);
      return;
    }
    rejected.push({ index, reason: result.reason, field: result.field });
    const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
    rejectedRows.push({
      type: typeof record.type === 'string' ? record.type.slice(0, 50) : (input.type ?? null),
      message_id: typeof record.messageId === 'string' ? record.messageId.slice(0, 512) : null,
      reason: result.reason,
      field: result.field,
      // JSON text escapes NUL and lone surrogates, so even hostile payloads are kept as sent.
      payload: JSON.stringify(raw) ?? 'null',
    });
  });
  // One statement needs no explicit transaction: a round trip saved on the hot path.
  if (rejectedRows.length === 0) {
    await q.insertInboxRow(db, workspaceId, input.receivedAt, accepted.length, JSON.stringify(accepted));
  } else {
    await db.transaction().execute(async (trx) => {
      await q.insertInboxRow(trx, workspaceId, input.receivedAt, accepted.length, JSON.stringify(accepted));
      await q.insertRejectedRows(trx, workspaceId, input.receivedAt, rejectedRows);
    });
  }
  return { accepted: accepted.length, rejected };
}

export const countPendingEvents = async (db: Kysely<Database>, workspaceId: string) => (await q.selectInboxStatus(db, workspaceId)).pending;
export const countRejectedEvents = (db: Kysely<Database>, workspaceId: string) => q.countRejected(db, workspaceId);
export const listRejectedEvents = (db: Kysely<Database>, workspaceId: string, page: q.RejectedPage) => q.selectRejected(db, workspaceId, page);

export const getIngestStatus = (db: Kysely<Database>, workspaceId: string) => q.selectInboxStatus(db, workspaceId);

/** Waits for the workspace's processing lock for the current transaction (see ingest-processor). */
export const lockWorkspaceProcessing = (db: Kysely<Database>, workspaceId: string) => q.lockWorkspaceInbox(db, workspaceId);
