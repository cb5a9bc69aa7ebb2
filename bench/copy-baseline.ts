import { randomUUID } from 'node:crypto';
import type { Db } from '../src/platform/db/connection.ts';
import { toEventRow, validateEvent } from '../src/features/ingest/index.ts';

const COLUMNS = [
  'workspace_id', 'message_id', 'type', 'name', 'contact_id', 'user_id', 'anonymous_id', 'group_id', 'properties', 'traits', 'context',
  'page_url', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content',
  'timestamp', 'original_timestamp', 'sent_at', 'received_at',
] as const;

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * The same events, as the rows ingest finally stores, rendered as CSV for COPY. Building
 * the CSV is not timed: the baseline is the database's own bulk-load rate.
 */
export function eventsToCsvChunks(workspaceId: string, batches: unknown[][], rowsPerChunk = 10_000): { chunks: string[]; rows: number } {
  const contactOf = new Map<string, string>();
  const chunks: string[] = [];
  let lines: string[] = [];
  let rows = 0;
  const receivedAt = new Date();
  for (const batch of batches) {
    for (const raw of batch) {
      const result = validateEvent({ raw, type: undefined, receivedAt, batchSentAt: undefined, batchContext: undefined });
      if (!result.ok) continue;
      const e = result.event;
      const who = e.userId ?? e.anonymousId ?? '';
      let contact = contactOf.get(who);
      if (!contact) contactOf.set(who, (contact = randomUUID()));
      const row = { workspace_id: workspaceId, ...toEventRow(e, contact) } as Record<string, unknown>;
      lines.push(COLUMNS.map((c) => csvField(row[c])).join(','));
      rows += 1;
      if (lines.length >= rowsPerChunk) {
        chunks.push(`${lines.join('\n')}\n`);
        lines = [];
      }
    }
  }
  if (lines.length > 0) chunks.push(`${lines.join('\n')}\n`);
  return { chunks, rows };
}

/** Loads the chunks with COPY into the events table; returns rows per second. */
export async function measureCopy(db: Db, chunks: string[], rows: number): Promise<number> {
  const started = performance.now();
  for (const chunk of chunks) await db.copyCsv('events', COLUMNS, chunk);
  return rows / ((performance.now() - started) / 1000);
}
