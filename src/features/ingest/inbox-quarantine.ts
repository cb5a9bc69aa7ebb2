import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { isTransientDbError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import * as q from './ingest.queries.ts';
import type { AcceptedEvent } from './segment-event.ts';

type ProcessEvents = (db: Kysely<Database>, workspaceId: string, events: AcceptedEvent[]) => Promise<{ stored: number }>;

export interface QuarantineOutcome {
  stored: number;
  rejected: number;
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Processes the oldest inbox row of a workspace one event at a time, each under a
 * savepoint. An event that cannot be processed goes to rejected_events with the error;
 * the others are stored as usual. This keeps one bad event (or a bug it triggers) from
 * stopping a workspace's whole stream, and loses nothing: the event stays readable with
 * its reason. Transient database failures are rethrown, to be retried later.
 */
export async function quarantineOldestRow(
  db: Kysely<Database>,
  workspaceId: string,
  processEvents: ProcessEvents,
  logger?: Logger,
): Promise<QuarantineOutcome | undefined> {
  const trx = await db.startTransaction().execute();
  try {
    if (!(await q.tryLockWorkspaceInbox(trx, workspaceId))) {
      await trx.rollback().execute();
      return undefined;
    }
    const [row] = await q.selectInboxChunk(trx, workspaceId, 1, 1);
    if (!row) {
      await trx.rollback().execute();
      return undefined;
    }
    const outcome: QuarantineOutcome = { stored: 0, rejected: 0 };
    const reject = async (reason: string, payload: string, event?: AcceptedEvent) => {
      outcome.rejected += 1;
      await q.insertRejectedRows(trx, workspaceId, new Date(), [
        { type: event?.type ?? null, message_id: event?.messageId ?? null, reason, field: null, payload },
      ]);
    };
    let events: AcceptedEvent[] | undefined;
    try {
      events = JSON.parse(row.payload) as AcceptedEvent[];
      if (!Array.isArray(events)) throw new Error('inbox payload is not a JSON array');
    } catch (error) {
      await reject(`processing failed: unreadable inbox row ${row.id}: ${describeError(error)}`, row.payload);
    }
    for (const [index, event] of (events ?? []).entries()) {
      const savepoint = await trx.savepoint(`event_${index}`).execute();
      try {
        outcome.stored += (await processEvents(savepoint, workspaceId, [event])).stored;
        await savepoint.releaseSavepoint(`event_${index}`).execute();
      } catch (error) {
        if (isTransientDbError(error)) throw error;
        await savepoint.rollbackToSavepoint(`event_${index}`).execute();
        logger?.warn({ workspaceId, messageId: event?.messageId, err: error }, 'event could not be processed; moved to rejected events');
        await reject(`processing failed: ${describeError(error)}`, JSON.stringify(event) ?? 'null', event);
      }
    }
    await q.deleteInboxRows(trx, workspaceId, [row.id]);
    await trx.commit().execute();
    return outcome;
  } catch (error) {
    await trx.rollback().execute().catch(() => undefined);
    throw error;
  }
}
