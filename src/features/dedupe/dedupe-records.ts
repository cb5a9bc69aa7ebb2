import type { Kysely } from 'kysely';
import type { Database, DedupeEntity } from '../../platform/db/schema.ts';
import { isAppError } from '../../platform/errors.ts';
import { getAccount, listAccountMatchRows } from '../accounts/index.ts';
import { getContact, listContactMatchRows } from '../contacts/index.ts';
import { ACCOUNT_MATCH_FIELDS, CONTACT_MATCH_FIELDS, withWorkDomain } from './contact-match-fields.ts';
import type { FieldSpec, InputRecord } from './engine/field-spec.ts';

export interface StoredRecords {
  fields: readonly FieldSpec[];
  records: InputRecord[];
  /** Time of the first event (else creation) by id: the older record of a pair survives a merge. */
  createdAt: Map<string, number>;
}

/** A workspace's contacts or accounts as engine input. */
export async function loadStoredRecords(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity): Promise<StoredRecords> {
  const createdAt = new Map<string, number>();
  if (entity === 'contact') {
    const rows = await listContactMatchRows(db, workspaceId);
    const records = rows.map(({ id, created_at, ...values }) => {
      createdAt.set(id, new Date(created_at).getTime());
      return { id, values: withWorkDomain(values) };
    });
    return { fields: CONTACT_MATCH_FIELDS, records, createdAt };
  }
  const rows = await listAccountMatchRows(db, workspaceId);
  const records = rows.map(({ id, created_at, ...values }) => {
    createdAt.set(id, new Date(created_at).getTime());
    return { id, values };
  });
  return { fields: ACCOUNT_MATCH_FIELDS, records, createdAt };
}

/** The survivor of a pair: the older record (its id is the one other systems have seen longest), then the smaller id. */
export function orderSurvivor(createdAt: ReadonlyMap<string, number>, a: string, b: string): { winnerId: string; loserId: string } {
  const ta = createdAt.get(a) ?? 0;
  const tb = createdAt.get(b) ?? 0;
  const aWins = ta < tb || (ta === tb && a < b);
  return aWins ? { winnerId: a, loserId: b } : { winnerId: b, loserId: a };
}

/** Creation times of the given records that still exist. */
export async function loadCreatedAt(db: Kysely<Database>, workspaceId: string, entity: DedupeEntity, ids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of ids) {
    if (entity === 'contact') {
      const row = await findContact(db, workspaceId, id);
      if (row) out.set(id, Math.min(new Date(row.first_seen_at ?? row.created_at).getTime(), new Date(row.created_at).getTime()));
    } else {
      const row = await findAccount(db, workspaceId, id);
      if (row) out.set(id, new Date(row.created_at).getTime());
    }
  }
  return out;
}

async function findContact(db: Kysely<Database>, workspaceId: string, id: string) {
  try {
    return await getContact(db, workspaceId, id);
  } catch (error) {
    if (isAppError(error) && error.code === 'not_found') return undefined;
    throw error;
  }
}

async function findAccount(db: Kysely<Database>, workspaceId: string, id: string) {
  try {
    return await getAccount(db, workspaceId, id);
  } catch (error) {
    if (isAppError(error) && error.code === 'not_found') return undefined;
    throw error;
  }
}
