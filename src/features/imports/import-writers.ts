import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ContactRow, Database } from '../../platform/db/schema.ts';
import { isAppError } from '../../platform/errors.ts';
import { findAccountsByKeys, insertAccounts, updateAccounts, type AccountWrite, type KeyedAccountRow } from '../accounts/index.ts';
import { enqueueAudienceWork } from '../audiences/index.ts';
import { findErasedEmails } from '../consent/index.ts';
import { applyContactPatches, getContactsByIds, type ContactPatch } from '../contacts/index.ts';
import { enrichContactsById } from '../enrichment/index.ts';
import { recordFieldChecks, type ObjectFieldChecks } from '../normalization/index.ts';
import { resolveContacts } from '../identity/index.ts';
import { lockWorkspaceProcessing, processEventsNow, type AcceptedEvent } from '../ingest/index.ts';
import { upsertOpportunities } from '../opportunities/index.ts';
import type { AccountImportRow, ContactImportRow, OpportunityImportRow, Refusal } from './import-rows.ts';

export interface BatchOutcome {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Rows refused while writing (an opportunity's account not found, ...). */
  refused: Refusal[];
}

type Values = Record<string, unknown>;

/** True when `next` sets a value that `current` does not already hold. */
function changes(current: Values, next: Values): boolean {
  return Object.entries(next).some(([k, v]) => v !== undefined && JSON.stringify(current[k]) !== JSON.stringify(v));
}

/**
 * Contacts: matched by email, then user id, through identity resolution (the same path as
 * identify calls, so merges and conflicts follow its rules); fields written as a newer
 * identify would write them. Runs under the workspace's processing lock.
 */
export async function writeContactBatch(trx: Kysely<Database>, workspaceId: string, batch: ContactImportRow[], at: Date): Promise<BatchOutcome> {
  await lockWorkspaceProcessing(trx, workspaceId);
  // An erased person must not come back through a file: their rows are refused, not written.
  const erased = await findErasedEmails(trx, workspaceId, [...new Set(batch.flatMap((r) => (r.email ? [r.email] : [])))]);
  const rows = batch.filter((r) => !r.email || !erased.has(r.email));
  const refused: Refusal[] = batch
    .filter((r) => r.email && erased.has(r.email))
    .map((r) => ({ row: r.row, line: 0, column: 'email', value: null, reason: 'this email belongs to a person who was erased (privacy request): not imported again' }));
  // The value is left out of the report on purpose: keeping it would undo the erasure.
  const outcome = await writeContactRows(trx, workspaceId, rows, at);
  return { ...outcome, refused: [...refused, ...outcome.refused] };
}

async function writeContactRows(trx: Kysely<Database>, workspaceId: string, rows: ContactImportRow[], at: Date): Promise<BatchOutcome> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, refused: [] };
  const plan = await resolveContacts(
    trx,
    workspaceId,
    rows.map((r) => ({ type: 'identify', messageId: `csv-${randomUUID()}`, userId: r.userId, anonymousId: null, email: r.email, previousId: null })),
    at,
  );
  const contactIds = rows.map((_, i) => plan.survivorOf(plan.eventContactIds[i]!));
  const existing = new Map<string, ContactRow>((await getContactsByIds(trx, workspaceId, [...new Set(contactIds)])).map((c) => [c.id, c]));
  const created = new Set(plan.newContactIds.map((id) => plan.survivorOf(id)));
  const state = new Map<string, { fields: Values; traits: Values }>();
  const patches = new Map<string, ContactPatch>();
  const outcome: BatchOutcome = { inserted: 0, updated: 0, unchanged: 0, refused: [] };
  rows.forEach((row, i) => {
    const id = contactIds[i]!;
    const stored = existing.get(id);
    const isNew = created.has(id) && !state.has(id);
    const current = state.get(id) ?? { fields: isNew || !stored ? {} : { ...stored }, traits: isNew || !stored ? {} : { ...stored.traits } };
    const changed = isNew || changes(current.fields, row.fields as Values) || changes(current.traits, row.traits);
    if (isNew) outcome.inserted += 1;
    else if (changed) outcome.updated += 1;
    else outcome.unchanged += 1;
    state.set(id, { fields: { ...current.fields, ...row.fields }, traits: { ...current.traits, ...row.traits } });
    const patch = patches.get(id) ?? {
      id,
      fields: {},
      traits: {},
      identifiedAt: at,
      // An import says nothing about when the person was last active.
      firstSeen: stored?.first_seen_at ?? at,
      lastSeen: stored?.last_seen_at ?? at,
    };
    patch.fields = { ...patch.fields, ...row.fields };
    patch.traits = { ...patch.traits, ...row.traits };
    if (changed || patches.has(id)) patches.set(id, patch);
  });
  // Unchanged contacts are not touched, so their updated_at keeps meaning something.
  await applyContactPatches(trx, workspaceId, [...patches.values()], at);
  await checkEnrichAndQueue(trx, workspaceId, rows, contactIds, at);
  return outcome;
}

/** What ingest does after writing contacts: validation issues recorded, enrichment, audience work queued (same transaction). */
async function checkEnrichAndQueue(trx: Kysely<Database>, workspaceId: string, rows: ContactImportRow[], contactIds: string[], at: Date): Promise<void> {
  const checks = new Map<string, ObjectFieldChecks>();
  rows.forEach((row, i) => {
    const id = contactIds[i]!;
    const check = checks.get(id) ?? { objectId: id, validFields: [], issues: [] };
    check.validFields.push(...Object.keys(row.fields));
    check.issues.push(...row.issues);
    checks.set(id, check);
  });
  await recordFieldChecks(trx, workspaceId, 'contact', 'import', [...checks.values()], at);
  const ids = [...checks.keys()];
  await enrichContactsById(trx, workspaceId, ids, at);
  await enqueueAudienceWork(trx, workspaceId, { contactIds: ids });
}

/** External id -> account, by the account's own id and by those it took over in merges. */
function accountsByExternalId(accounts: KeyedAccountRow[]): Map<string, KeyedAccountRow> {
  const byExternal = new Map<string, KeyedAccountRow>();
  for (const a of accounts) {
    if (a.external_id) byExternal.set(a.external_id, a);
    for (const alias of a.aliases) byExternal.set(alias, a);
  }
  return byExternal;
}

/** Accounts: matched by external id (or one it took over in a merge), else by domain; new ones inserted. */
export async function writeAccountBatch(trx: Kysely<Database>, workspaceId: string, rows: AccountImportRow[], at: Date): Promise<BatchOutcome> {
  const found = await findAccountsByKeys(
    trx,
    workspaceId,
    rows.flatMap((r) => (r.externalId ? [r.externalId] : [])),
    rows.flatMap((r) => (r.domain ? [r.domain] : [])),
  );
  const byExternal = accountsByExternalId(found);
  const byDomain = new Map<string, KeyedAccountRow>();
  for (const a of found) if (a.domain && !byDomain.has(a.domain)) byDomain.set(a.domain, a);
  const outcome: BatchOutcome = { inserted: 0, updated: 0, unchanged: 0, refused: [] };
  const state = new Map<string, Values>();
  const updates = new Map<string, AccountWrite & { id: string }>();
  const inserts = new Map<string, AccountWrite>();
  for (const row of rows) {
    const match = (row.externalId ? byExternal.get(row.externalId) : undefined) ?? (row.domain ? byDomain.get(row.domain) : undefined);
    const key = row.externalId ? `x:${row.externalId}` : `d:${row.domain}`;
    if (match) {
      const current = state.get(match.id) ?? { ...match, ...match.traits };
      const next = { ...row.fields, ...row.traits, external_id: match.external_id ?? row.externalId ?? undefined };
      if (changes(current, next)) outcome.updated += 1;
      else outcome.unchanged += 1;
      state.set(match.id, { ...current, ...next });
      // An id the account answers to since a merge is not written into its column again.
      const ownExternalId = row.externalId && match.aliases.includes(row.externalId) ? null : row.externalId;
      const write = updates.get(match.id) ?? { id: match.id, externalId: ownExternalId, fields: {}, traits: {} };
      updates.set(match.id, { ...write, fields: { ...write.fields, ...row.fields }, traits: { ...write.traits, ...row.traits } });
      continue;
    }
    const pending = inserts.get(key) ?? (row.domain ? inserts.get(`d:${row.domain}`) : undefined);
    if (pending) {
      // A second row for an account this batch creates: one insert with both rows' values.
      pending.fields = { ...pending.fields, ...row.fields };
      pending.traits = { ...pending.traits, ...row.traits };
      outcome.updated += 1;
      continue;
    }
    const write: AccountWrite = { externalId: row.externalId, fields: { ...row.fields }, traits: { ...row.traits } };
    inserts.set(key, write);
    if (row.domain) inserts.set(`d:${row.domain}`, write);
    outcome.inserted += 1;
  }
  await updateAccounts(trx, workspaceId, [...updates.values()], at);
  await insertAccounts(trx, workspaceId, [...new Set(inserts.values())], at);
  return outcome;
}

/**
 * Opportunities: matched by external id; a stored one is updated when a value differs,
 * else counted unchanged. Each row goes through the opportunities service's validation; a row
 * it refuses is reported and the rest of the batch is written.
 */
export async function writeOpportunityBatch(trx: Kysely<Database>, workspaceId: string, rows: OpportunityImportRow[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { inserted: 0, updated: 0, unchanged: 0, refused: [] };
  const accounts = await findAccountsByKeys(
    trx,
    workspaceId,
    rows.flatMap((r) => (r.accountExternalId ? [r.accountExternalId] : [])),
    rows.flatMap((r) => (r.accountDomain ? [r.accountDomain] : [])),
  );
  const byExternal = new Map([...accountsByExternalId(accounts)].map(([externalId, a]) => [externalId, a.id]));
  const byDomain = new Map(accounts.filter((a) => a.domain).map((a) => [a.domain!, a.id]));
  let pending: Array<{ row: OpportunityImportRow; accountId: string }> = [];
  for (const row of rows) {
    const accountId = (row.accountExternalId ? byExternal.get(row.accountExternalId) : undefined) ?? (row.accountDomain ? byDomain.get(row.accountDomain) : undefined);
    if (accountId) pending.push({ row, accountId });
    else {
      const value = row.accountExternalId ?? row.accountDomain;
      outcome.refused.push({ row: row.row, line: 0, column: null, value, reason: `no account with ${row.accountExternalId ? 'external id' : 'domain'} ${JSON.stringify(value)} in this workspace` });
    }
  }
  // Refuse one invalid row at a time and retry the rest: the service validates every row
  // before writing any, so a refused attempt wrote nothing.
  while (pending.length > 0) {
    const inputs = pending.map(({ row, accountId }) => ({
      accountId,
      externalId: row.externalId,
      name: row.name,
      amount: row.amount,
      currency: row.currency,
      stage: row.stage,
      status: row.status,
      createdDate: row.createdDate,
      closedDate: row.closedDate,
    }));
    try {
      // An opportunity already stored under its external id is updated (amount, stage and
      // dates move in the CRM between exports), or left alone when nothing changed.
      const written = await upsertOpportunities(trx, workspaceId, inputs);
      outcome.inserted += written.inserted;
      outcome.updated += written.updated;
      outcome.unchanged += pending.length - written.inserted - written.updated;
      break;
    } catch (error) {
      const at = isAppError(error) ? /^opportunities\[(\d+)\]\.(\w+)/.exec(String(error.details?.field ?? '')) : null;
      if (!at) throw error;
      const bad = pending[Number(at[1])]!;
      const field = at[2]!;
      const values: Record<string, string | null> = { amount: bad.row.amount, currency: bad.row.currency, name: bad.row.name, stage: bad.row.stage, createdDate: bad.row.createdDate, closedDate: bad.row.closedDate };
      outcome.refused.push({ row: bad.row.row, line: 0, column: field, value: values[field] ?? null, reason: (error as Error).message.replace(/^opportunities\[\d+\]\./, '') });
      pending = pending.filter((p) => p !== bad);
    }
  }
  return outcome;
}

/** Events: stored through the ingest processor now (identity resolution, de-duplication). */
export async function writeEventBatch(trx: Kysely<Database>, workspaceId: string, events: AcceptedEvent[]): Promise<BatchOutcome> {
  const result = await processEventsNow(trx, workspaceId, events);
  return { inserted: result.stored, updated: 0, unchanged: result.duplicates, refused: [] };
}
