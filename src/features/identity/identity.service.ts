import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { createBlankContacts } from '../contacts/index.ts';
import { mergeContactPair } from './contact-merge.ts';
import { identityKey, planResolution, type IdentifiedEvent, type IdentityRef, type KnownIdentities, type ResolutionPlan } from './identity-resolver.ts';
import * as q from './identity.queries.ts';

const RESOLVER = systemActor('identity-resolution');

/**
 * Resolves a chunk of events to contacts and writes the outcome: new contacts, new
 * identities, merges (identities and events moved, the merge recorded with a snapshot of
 * the merged-away contact) and refused merges as conflicts. Run inside the caller's
 * transaction, under the workspace's processing lock.
 */
export async function resolveContacts(db: Kysely<Database>, workspaceId: string, events: IdentifiedEvent[], at: Date): Promise<ResolutionPlan> {
  const known = await loadKnownIdentities(db, workspaceId, events);
  const plan = planResolution(events, known);
  await createBlankContacts(db, workspaceId, plan.newContactIds, at);
  for (const merge of plan.merges) {
    if (merge.loserIsNew) continue;
    await mergeContactPair(db, workspaceId, { winnerId: merge.winnerId, loserId: merge.loserId, reason: merge.reason, messageId: merge.messageId, actor: RESOLVER });
  }
  await q.insertIdentities(db, workspaceId, plan.newIdentities, at);
  await q.insertConflicts(db, workspaceId, plan.conflicts);
  return plan;
}

async function loadKnownIdentities(db: Kysely<Database>, workspaceId: string, events: IdentifiedEvent[]): Promise<KnownIdentities> {
  const refs = new Map<string, IdentityRef>();
  const add = (kind: IdentityRef['kind'], value: string | null) => {
    if (value) refs.set(identityKey(kind, value), { kind, value });
  };
  for (const e of events) {
    add('user_id', e.userId);
    add('anonymous_id', e.anonymousId);
    add('email', e.email);
    add('user_id', e.previousId);
    add('anonymous_id', e.previousId);
  }
  const found = await q.selectIdentities(db, workspaceId, [...refs.values()]);
  const byKey = new Map(found.map((r) => [identityKey(r.kind, r.value), r.contact_id]));
  const contactIds = [...new Set(found.map((r) => r.contact_id))];
  const userIdsByContact = new Map<string, Set<string>>();
  const contactsWithEmail = new Set<string>();
  for (const row of await q.selectKeyIdentitiesOf(db, workspaceId, contactIds)) {
    if (row.kind === 'email') contactsWithEmail.add(row.contact_id);
    else userIdsByContact.set(row.contact_id, new Set([...(userIdsByContact.get(row.contact_id) ?? []), row.value]));
  }
  return { byKey, userIdsByContact, contactsWithEmail };
}

export async function getIdentitiesOfContact(db: Kysely<Database>, workspaceId: string, contactId: string) {
  return q.selectIdentitiesOfContact(db, workspaceId, contactId);
}

export async function getMergesOfContact(db: Kysely<Database>, workspaceId: string, contactId: string) {
  return q.selectMergesOf(db, workspaceId, contactId);
}

export async function listIdentityConflicts(db: Kysely<Database>, workspaceId: string, limit: number, beforeId?: string) {
  return q.selectConflicts(db, workspaceId, limit, beforeId);
}

/** Every identifier of the contacts: userIds, anonymousIds, emails. */
export const getAllIdentitiesOf = (db: Kysely<Database>, workspaceId: string, contactIds: string[]) => q.selectAllIdentitiesOf(db, workspaceId, contactIds);
export const getConflictsOf = (db: Kysely<Database>, workspaceId: string, contactIds: string[], values: string[]) => q.selectConflictsOf(db, workspaceId, contactIds, values);
/** Erasure: merge snapshots and identity conflicts naming the person. */
export const eraseIdentityTraces = (db: Kysely<Database>, workspaceId: string, contactIds: string[], values: string[]) => q.deleteIdentityTraces(db, workspaceId, contactIds, values);
