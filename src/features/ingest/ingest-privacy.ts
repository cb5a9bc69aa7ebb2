import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import * as q from './ingest.queries.ts';

/** Privacy export: rejected events that name the person. */
export const listRejectedMentioning = (db: Kysely<Database>, workspaceId: string, values: string[]) => q.selectRejectedMentioning(db, workspaceId, values);

/**
 * Erasure of what ingest holds: rejected events naming the person go; unprocessed inbox
 * rows lose the events that name the person (other people's events in the same request
 * stay), and a row left empty goes.
 */
export async function eraseIngestTraces(db: Kysely<Database>, workspaceId: string, values: string[]): Promise<{ rejected: number; inboxEvents: number }> {
  const rejected = await q.deleteRejectedMentioning(db, workspaceId, values);
  const lowered = values.map((v) => v.toLowerCase());
  let inboxEvents = 0;
  for (const row of await q.selectInboxRowsMentioning(db, workspaceId, values)) {
    const events = JSON.parse(row.payload) as unknown[];
    const kept = events.filter((e) => {
      const text = JSON.stringify(e).toLowerCase();
      return !lowered.some((v) => text.includes(v));
    });
    inboxEvents += events.length - kept.length;
    if (kept.length === 0) await q.deleteInboxRows(db, workspaceId, [row.id]);
    else await q.updateInboxRowPayload(db, workspaceId, row.id, JSON.stringify(kept), kept.length);
  }
  return { rejected, inboxEvents };
}
