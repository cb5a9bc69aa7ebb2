import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { explainScores, listMembershipHistory, listStageHistory } from '../audiences/index.ts';
import { findSuppressionsFor, getConsentHistory, listTopics } from '../consent/index.ts';
import { getAccountsOfContact, getContact } from '../contacts/index.ts';
import { listEventsOfPerson } from '../events/index.ts';
import { getAllIdentitiesOf, getConflictsOf, getMergesOfContact } from '../identity/index.ts';
import { listRejectedMentioning } from '../ingest/index.ts';
import { listMessages } from '../messaging/index.ts';
import { listFieldIssues } from '../normalization/index.ts';

/** Who a privacy request is about: the address, their contacts, and every identifier. */
export interface DataSubject {
  workspaceId: string;
  email: string;
  contactIds: string[];
  /** The email, userIds and anonymousIds of the contacts. */
  identifiers: string[];
}

/**
 * One part of an export: a name (the CSV file name) and its rows. Features added later
 * (scores, segment history, journeys) add a section to EXPORT_SECTIONS or pass their
 * own to exportPersonalData.
 */
export interface ExportSection {
  name: string;
  collect(db: Kysely<Database>, subject: DataSubject): Promise<Array<Record<string, unknown>>>;
}

const forEachContact = async <T>(subject: DataSubject, fn: (contactId: string) => Promise<T[]>) => (await Promise.all(subject.contactIds.map(fn))).flat();

export const EXPORT_SECTIONS: readonly ExportSection[] = [
  { name: 'contacts', collect: (db, s) => forEachContact(s, async (id) => [await getContact(db, s.workspaceId, id)]) },
  { name: 'identities', collect: (db, s) => getAllIdentitiesOf(db, s.workspaceId, s.contactIds) },
  { name: 'accounts', collect: (db, s) => forEachContact(s, async (id) => (await getAccountsOfContact(db, s.workspaceId, id)).map((a) => ({ contact_id: id, ...a }))) },
  { name: 'events', collect: (db, s) => listEventsOfPerson(db, s.workspaceId, s.contactIds, s.identifiers) },
  {
    name: 'consent_history',
    async collect(db, s) {
      const keys = new Map((await listTopics(db, s.workspaceId)).map((t) => [t.id, t.key]));
      return forEachContact(s, async (id) => (await getConsentHistory(db, s.workspaceId, id)).map((r) => ({ topic: keys.get(r.topic_id) ?? r.topic_id, ...r })));
    },
  },
  { name: 'suppressions', collect: (db, s) => findSuppressionsFor(db, s.workspaceId, s.email) },
  {
    name: 'messages',
    collect: (db, s) => forEachContact(s, async (id) => (await listMessages(db, s.workspaceId, { contactId: id, limit: 10_000 })).items),
  },
  { name: 'merges', collect: (db, s) => forEachContact(s, (id) => getMergesOfContact(db, s.workspaceId, id)) },
  { name: 'identity_conflicts', collect: (db, s) => getConflictsOf(db, s.workspaceId, s.contactIds, s.identifiers) },
  { name: 'rejected_events', collect: (db, s) => listRejectedMentioning(db, s.workspaceId, s.identifiers) },
  {
    name: 'scores',
    collect: (db, s) =>
      forEachContact(s, async (id) => {
        const explained = await explainScores(db, s.workspaceId, id, { changes: 10_000 });
        return [
          ...explained.scores.map((score) => ({ contact_id: id, kind: 'score', ...score })),
          ...explained.changes.map((change) => ({ contact_id: id, kind: 'change', ...change })),
        ];
      }),
  },
  { name: 'segment_history', collect: (db, s) => forEachContact(s, (id) => listMembershipHistory(db, s.workspaceId, { memberId: id, limit: 100_000 })) },
  { name: 'stage_history', collect: (db, s) => forEachContact(s, (id) => listStageHistory(db, s.workspaceId, { contactId: id, limit: 100_000 })) },
  { name: 'validation_issues', collect: (db, s) => forEachContact(s, (id) => listFieldIssues(db, s.workspaceId, { objectType: 'contact', objectId: id, limit: 10_000 })) },
];
