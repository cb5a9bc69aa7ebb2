import { sql, type Kysely } from 'kysely';
import type { Database, IdentityKind } from '../../platform/db/schema.ts';
import type { IdentityRef, PlannedConflict } from './identity-resolver.ts';

type Q = Kysely<Database>;

/**
 * The stored identities among `refs`. One `= any()` per kind keeps this an index scan on
 * the primary key whatever the table statistics say (a join against unnest() flipped to a
 * sequential scan on larger chunks when the tables had never been analyzed).
 */
export async function selectIdentities(db: Q, workspaceId: string, refs: IdentityRef[]) {
  if (refs.length === 0) return [];
  const of = (kind: IdentityKind) => refs.filter((r) => r.kind === kind).map((r) => r.value);
  const result = await sql<{ kind: IdentityKind; value: string; contact_id: string }>`
    select kind, value, contact_id from identities
    where workspace_id = ${workspaceId}::uuid and (
      (kind = 'user_id' and value = any(${of('user_id')}::text[]))
      or (kind = 'anonymous_id' and value = any(${of('anonymous_id')}::text[]))
      or (kind = 'email' and value = any(${of('email')}::text[])))`.execute(db);
  return result.rows;
}

/** userIds and emails of the given contacts: what the resolver needs to rank and guard merges. */
export async function selectKeyIdentitiesOf(db: Q, workspaceId: string, contactIds: string[]) {
  if (contactIds.length === 0) return [];
  const result = await sql<{ kind: IdentityKind; value: string; contact_id: string }>`
    select kind, value, contact_id from identities
    where workspace_id = ${workspaceId}::uuid and contact_id = any(${contactIds}::uuid[]) and kind in ('user_id', 'email')`.execute(db);
  return result.rows;
}

export async function selectIdentitiesOfContact(db: Q, workspaceId: string, contactId: string) {
  return db
    .selectFrom('identities')
    .select(['kind', 'value', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', contactId)
    .orderBy('kind')
    .orderBy('value')
    .execute();
}

export async function insertIdentities(db: Q, workspaceId: string, rows: Array<IdentityRef & { contactId: string }>, at: Date) {
  if (rows.length === 0) return;
  const values = rows.map((r) => ({ kind: r.kind, value: r.value, contact_id: r.contactId }));
  await sql`
    insert into identities (workspace_id, kind, value, contact_id, created_at)
    select ${workspaceId}::uuid, t.kind, t.value, t.contact_id, ${at}::timestamptz
    from json_to_recordset(${JSON.stringify(values)}::json) as t(kind text, value text, contact_id uuid)
    on conflict do nothing`.execute(db);
}

export async function updateIdentitiesContact(db: Q, workspaceId: string, fromContact: string, toContact: string): Promise<number> {
  const result = await db
    .updateTable('identities')
    .set({ contact_id: toContact })
    .where('workspace_id', '=', workspaceId)
    .where('contact_id', '=', fromContact)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Moves a contact's identities to another; returns their [kind, value] keys. */
export async function updateIdentitiesContactReturningKeys(db: Q, workspaceId: string, fromContact: string, toContact: string) {
  const result = await sql<{ kind: IdentityKind; value: string }>`
    update identities set contact_id = ${toContact}::uuid
    where workspace_id = ${workspaceId}::uuid and contact_id = ${fromContact}::uuid
    returning kind, value`.execute(db);
  return result.rows.map((r): [IdentityKind, string] => [r.kind, r.value]).sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
}

export async function restoreIdentitiesContact(db: Q, workspaceId: string, keys: Array<[IdentityKind, string]>, fromContact: string, toContact: string) {
  if (keys.length === 0) return;
  await sql`
    update identities i set contact_id = ${toContact}::uuid
    from unnest(${keys.map((k) => k[0])}::text[], ${keys.map((k) => k[1])}::text[]) as t(kind, value)
    where i.workspace_id = ${workspaceId}::uuid and i.kind = t.kind and i.value = t.value and i.contact_id = ${fromContact}::uuid`.execute(db);
}

export interface MergeRecord {
  winnerId: string;
  loserId: string;
  reason: string;
  messageId: string | null;
  winnerSnapshot: Record<string, unknown>;
  loserSnapshot: Record<string, unknown>;
  fieldChanges: Record<string, unknown>;
  movedRows: Record<string, unknown[]>;
  identitiesMoved: number;
  eventsMoved: number;
}

export async function insertMergeRecord(db: Q, workspaceId: string, m: MergeRecord): Promise<string> {
  const row = await db
    .insertInto('contact_merges')
    .values({
      workspace_id: workspaceId,
      winner_id: m.winnerId,
      loser_id: m.loserId,
      reason: m.reason,
      message_id: m.messageId,
      winner_snapshot: JSON.stringify(m.winnerSnapshot),
      loser_snapshot: JSON.stringify(m.loserSnapshot),
      field_changes: JSON.stringify(m.fieldChanges),
      moved_rows: JSON.stringify(m.movedRows),
      identities_moved: m.identitiesMoved,
      events_moved: m.eventsMoved,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function selectMerge(db: Q, workspaceId: string, id: string) {
  return db
    .selectFrom('contact_merges')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id as never)
    .executeTakeFirst();
}

/** The newest merge, not undone, that merged `contactId` away. */
export async function selectActiveMergeOfLoser(db: Q, workspaceId: string, contactId: string) {
  return db
    .selectFrom('contact_merges')
    .select(['id', 'winner_id'])
    .where('workspace_id', '=', workspaceId)
    .where('loser_id', '=', contactId)
    .where('undone_at', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

export async function updateMergeUndone(db: Q, workspaceId: string, id: string, by: string) {
  await db
    .updateTable('contact_merges')
    .set({ undone_at: new Date(), undone_by: by })
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id as never)
    .execute();
}

export async function selectMerges(db: Q, workspaceId: string, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('contact_merges')
    .select(['id', 'winner_id', 'loser_id', 'reason', 'message_id', 'identities_moved', 'events_moved', 'merged_at', 'undone_at', 'undone_by'])
    .where('workspace_id', '=', workspaceId);
  if (beforeId) query = query.where('id', '<', beforeId as never);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

export async function selectMergesOf(db: Q, workspaceId: string, contactId: string) {
  return db
    .selectFrom('contact_merges')
    .select(['id', 'winner_id', 'loser_id', 'reason', 'message_id', 'identities_moved', 'events_moved', 'merged_at', 'undone_at'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('winner_id', '=', contactId), eb('loser_id', '=', contactId)]))
    .orderBy('merged_at')
    .execute();
}

export async function insertConflicts(db: Q, workspaceId: string, conflicts: PlannedConflict[]) {
  if (conflicts.length === 0) return;
  await db
    .insertInto('identity_conflicts')
    .values(
      conflicts.map((c) => ({
        workspace_id: workspaceId,
        message_id: c.messageId,
        kind: c.kind,
        value: c.value,
        contact_id: c.contactId,
        other_contact_id: c.otherContactId,
        reason: c.reason,
      })),
    )
    .execute();
}

export async function selectConflicts(db: Q, workspaceId: string, limit: number, beforeId?: string) {
  let query = db
    .selectFrom('identity_conflicts')
    .select(['id', 'message_id', 'kind', 'value', 'contact_id', 'other_contact_id', 'reason', 'created_at'])
    .where('workspace_id', '=', workspaceId);
  if (beforeId) query = query.where('id', '<', beforeId as never);
  return query.orderBy('id', 'desc').limit(limit).execute();
}

/** Every identifier of the given contacts (privacy export and erasure). */
export async function selectAllIdentitiesOf(db: Q, workspaceId: string, contactIds: string[]) {
  if (contactIds.length === 0) return [];
  return db.selectFrom('identities').select(['kind', 'value', 'contact_id', 'created_at']).where('workspace_id', '=', workspaceId).where('contact_id', 'in', contactIds).execute();
}

export async function selectConflictsOf(db: Q, workspaceId: string, contactIds: string[], values: string[]) {
  if (contactIds.length === 0 && values.length === 0) return [];
  return db
    .selectFrom('identity_conflicts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([...(contactIds.length ? [eb('contact_id', 'in', contactIds), eb('other_contact_id', 'in', contactIds)] : []), ...(values.length ? [eb('value', 'in', values)] : [])]))
    .execute();
}

/** Erasure: merge records and conflicts that name the person go. */
export async function deleteIdentityTraces(db: Q, workspaceId: string, contactIds: string[], values: string[]): Promise<number> {
  let removed = 0;
  if (contactIds.length > 0) {
    const merges = await db
      .deleteFrom('contact_merges')
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('winner_id', 'in', contactIds), eb('loser_id', 'in', contactIds)]))
      .executeTakeFirst();
    removed += Number(merges.numDeletedRows);
  }
  if (contactIds.length > 0 || values.length > 0) {
    const conflicts = await db
      .deleteFrom('identity_conflicts')
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([...(contactIds.length ? [eb('contact_id', 'in', contactIds), eb('other_contact_id', 'in', contactIds)] : []), ...(values.length ? [eb('value', 'in', values)] : [])]))
      .executeTakeFirst();
    removed += Number(conflicts.numDeletedRows);
  }
  return removed;
}
