import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { LIFECYCLE_DEFAULT_ORDER } from './stage-rules.ts';
import { getStageRules } from './stages.service.ts';
import * as q from './stages.queries.ts';

const PAGE_ROWS = 20_000;

/**
 * The workspace's lifecycle stages in funnel order: its stage rules' order without the
 * recycle stages (they move contacts backwards, they are no step of the funnel), or the
 * default order when it has no lifecycle rules.
 */
export async function getLifecycleOrder(db: Kysely<Database>, workspaceId: string): Promise<string[]> {
  const rules = await getStageRules(db, workspaceId);
  const lifecycle = (rules?.lifecycle ?? []).filter((r) => !r.recycle).map((r) => r.stage);
  return lifecycle.length > 0 ? lifecycle : [...LIFECYCLE_DEFAULT_ORDER];
}

/**
 * Contacts that first reached a lifecycle stage in [from, to): reaching a stage means
 * entering it or any later stage of the funnel order (a contact moved from lead straight
 * to sql has reached mql too, at that moment).
 */
export async function listStageReaches(db: Kysely<Database>, workspaceId: string, stage: string, from: Date, to: Date): Promise<Array<{ contactId: string; time: number }>> {
  const order = await getLifecycleOrder(db, workspaceId);
  const index = order.indexOf(stage);
  if (index < 0) throw new AppError('invalid', `stage "${stage}" is not a lifecycle stage of this workspace (${order.join(', ')})`, { field: 'stage', value: stage });
  const rows = await q.selectFirstStageReach(db, { workspaceId, stages: order.slice(index), from, to });
  return rows.map((r) => ({ contactId: r.contact_id, time: new Date(r.first_at).getTime() }));
}

export interface ContactStageEntries {
  contactId: string;
  /** First entry time (epoch ms) into each lifecycle stage the contact ever entered. */
  firstEntered: Map<string, number>;
}

/** Every contact's first entry into each lifecycle stage, contact by contact, read in pages. */
export async function* streamFirstStageEntries(db: Kysely<Database>, workspaceId: string, options: { segmentId?: string | undefined } = {}): AsyncGenerator<ContactStageEntries> {
  let after: { contactId: string; stage: string } | undefined;
  let current: ContactStageEntries | null = null;
  for (;;) {
    const page = await q.selectFirstStageEntries(db, { workspaceId, segmentId: options.segmentId, after, limit: PAGE_ROWS });
    for (const row of page) {
      if (current && current.contactId !== row.contact_id) {
        yield current;
        current = null;
      }
      current ??= { contactId: row.contact_id, firstEntered: new Map() };
      current.firstEntered.set(row.stage, new Date(row.first_at).getTime());
    }
    if (page.length < PAGE_ROWS) break;
    const last = page[page.length - 1]!;
    after = { contactId: last.contact_id, stage: last.stage };
  }
  if (current) yield current;
}
