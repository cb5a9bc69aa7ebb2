import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { countAccounts } from '../accounts/index.ts';
import { countContacts } from '../contacts/index.ts';
import { countEvents } from '../events/index.ts';
import { countPendingEvents, countRejectedEvents } from '../ingest/index.ts';
import { countOpportunities } from '../opportunities/index.ts';

export interface WorkspaceStats {
  contacts: number;
  known_contacts: number;
  anonymous_contacts: number;
  accounts: number;
  opportunities: number;
  events: number;
  rejected_events: number;
  pending_events: number;
}

export async function getWorkspaceStats(db: Kysely<Database>, workspaceId: string): Promise<WorkspaceStats> {
  const [contacts, accounts, opportunities, events, rejected, pending] = await Promise.all([
    countContacts(db, workspaceId),
    countAccounts(db, workspaceId),
    countOpportunities(db, workspaceId),
    countEvents(db, workspaceId),
    countRejectedEvents(db, workspaceId),
    countPendingEvents(db, workspaceId),
  ]);
  return {
    contacts: contacts.total,
    known_contacts: contacts.known,
    anonymous_contacts: contacts.total - contacts.known,
    accounts,
    opportunities,
    events,
    rejected_events: rejected,
    pending_events: pending,
  };
}
