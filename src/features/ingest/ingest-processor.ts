import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { MaintenancePolicy, TableMaintenance } from '../../platform/db/maintenance.ts';
import type { Logger } from '../../platform/logger.ts';
import { extractAccountFields, upsertAccountsFromGroups, type AccountUpsert } from '../accounts/index.ts';
import { applyContactPatches, extractContactFields, linkContactsToAccounts, normalizeEmail, type ContactPatch } from '../contacts/index.ts';
import { enrichContactsById } from '../enrichment/index.ts';
import { recordFieldChecks, type FieldIssue, type ObjectFieldChecks } from '../normalization/index.ts';
import { enqueueAudienceWork, eventChange } from '../audiences/index.ts';
import { findErasedEmails } from '../consent/index.ts';
import { findStoredMessageIds, storeEvents } from '../events/index.ts';
import { resolveContacts, type IdentifiedEvent } from '../identity/index.ts';
import { checkEventsAgainstTrackingPlan } from '../tracking-plan/index.ts';
import { isTransientDbError } from '../../platform/errors.ts';
import { toEventRow } from './event-row.ts';
import { quarantineOldestRow } from './inbox-quarantine.ts';
import * as q from './ingest.queries.ts';
import type { AcceptedEvent } from './segment-event.ts';

export const DEFAULT_CHUNK_SIZE = 1000;

export interface ProcessOutcome {
  workspaces: number;
  events: number;
  duplicates: number;
  /** Events that could not be processed and went to rejected_events. */
  quarantined: number;
}

export interface ProcessOptions {
  chunkSize?: number;
  logger?: Logger;
  /**
   * Stop at the first chunk smaller than chunkSize instead of draining to the end. The
   * worker does this under load: waiting a moment for a full chunk costs less than many
   * small transactions.
   */
  fullChunksOnly?: boolean;
  /** Where autovacuum does not run (PGlite), keeps the inbox and hot tables vacuumed. */
  maintenance?: TableMaintenance;
}

/** When to vacuum and analyze the tables the processor writes (autovacuum's rule). */
export const INGEST_MAINTENANCE: MaintenancePolicy = {
  tables: {
    // Emptied as fast as it fills: its dead rows are all there is to it.
    ingest_inbox: { base: 200, scale: 0, action: 'vacuum analyze' },
    contacts: { base: 1_000, scale: 0.2, action: 'vacuum analyze' },
    identities: { base: 1_000, scale: 0.2, action: 'analyze' },
    // Analyzing events reads a sample of a large table (0.6-0.9 s at 200k rows, measured):
    // once per doubling is enough for plans that lean on unique indexes anyway.
    events: { base: 1_000, scale: 1, action: 'analyze' },
  },
};

/**
 * Drains the inbox of every workspace, one chunk per transaction, until it is empty or
 * another worker holds a workspace. Safe to run in many processes at once.
 *
 * A chunk that fails for a reason other than a transient database error is retried one
 * inbox row at a time, and a row that still fails is processed event by event, the bad
 * events going to rejected_events (see inbox-quarantine.ts): one poisoned event never
 * stops a workspace's stream.
 */
export async function processInbox(db: Kysely<Database>, options: ProcessOptions = {}): Promise<ProcessOutcome> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const outcome: ProcessOutcome = { workspaces: 0, events: 0, duplicates: 0, quarantined: 0 };
  for (const workspaceId of await q.selectWorkspacesWithInbox(db)) {
    outcome.workspaces += 1;
    // Rows left to take one at a time after a failed chunk.
    let singleRows = 0;
    for (;;) {
      let attemptedRows = 0;
      let step: ChunkStep | undefined;
      try {
        step = await processNextChunk(db, workspaceId, chunkSize, singleRows > 0 ? 1 : chunkSize, (n) => (attemptedRows = n));
      } catch (error) {
        if (isTransientDbError(error)) throw error;
        if (singleRows === 0 && attemptedRows > 1) {
          options.logger?.warn({ workspaceId, rows: attemptedRows, err: error }, 'inbox chunk failed; retrying its rows one by one');
          singleRows = attemptedRows;
          continue;
        }
        const quarantined = await quarantineOldestRow(db, workspaceId, processChunk, options.logger);
        if (!quarantined) break;
        outcome.events += quarantined.stored;
        outcome.quarantined += quarantined.rejected;
        singleRows = Math.max(0, singleRows - 1);
        continue;
      }
      if (!step) break;
      singleRows = Math.max(0, singleRows - 1);
      await noteChunkWrites(options.maintenance, step);
      outcome.events += step.stored;
      outcome.duplicates += step.duplicates;
      options.logger?.debug({ workspaceId, ...step }, 'processed inbox chunk');
      if (options.fullChunksOnly && singleRows === 0 && step.received < chunkSize) break;
    }
  }
  return outcome;
}

type ChunkStep = Awaited<ReturnType<typeof processChunk>> & { received: number; inboxRows: number };

/** One chunk in one transaction, under the workspace's lock; undefined when none is due. */
async function processNextChunk(db: Kysely<Database>, workspaceId: string, chunkSize: number, maxRows: number, onRows: (n: number) => void) {
  return db.transaction().execute(async (trx): Promise<ChunkStep | undefined> => {
    if (!(await q.tryLockWorkspaceInbox(trx, workspaceId))) return undefined;
    const rows = await q.selectInboxChunk(trx, workspaceId, chunkSize, maxRows);
    if (rows.length === 0) return undefined;
    onRows(rows.length);
    const events = rows.flatMap((r) => JSON.parse(r.payload) as AcceptedEvent[]);
    const result = await processChunk(trx, workspaceId, events);
    await q.deleteInboxRows(trx, workspaceId, rows.map((r) => r.id));
    return { ...result, received: events.length, inboxRows: rows.length };
  });
}

async function noteChunkWrites(maintenance: TableMaintenance | undefined, step: ChunkStep): Promise<void> {
  await maintenance?.noteWrites('ingest_inbox', step.inboxRows);
  await maintenance?.noteWrites('contacts', step.contactsTouched);
  await maintenance?.noteWrites('identities', step.identitiesAdded);
  await maintenance?.noteWrites('events', step.stored);
}

/** Resolves identities, updates contacts and accounts, and stores one chunk of events. */
export async function processChunk(db: Kysely<Database>, workspaceId: string, accepted: AcceptedEvent[]) {
  const now = new Date();
  const stored = await findStoredMessageIds(db, workspaceId, accepted.map((e) => e.messageId));
  const seen = new Set<string>();
  const fresh = accepted.filter((e) => {
    if (stored.has(e.messageId) || seen.has(e.messageId)) return false;
    seen.add(e.messageId);
    return true;
  });
  // An erased person is not re-created: their events are dropped, not stored anywhere
  // (not even as tracking-plan findings, hence first).
  const erased = await findErasedEmails(db, workspaceId, [...new Set(fresh.map((e) => toIdentified(e).email).filter((x): x is string => !!x))]);
  const admitted = erased.size === 0 ? fresh : fresh.filter((e) => !erased.has(toIdentified(e).email ?? ''));
  const events = await refuseBlockedEvents(db, workspaceId, admitted, now);
  const plan = await resolveContacts(db, workspaceId, events.map(toIdentified), now);
  const contactOf = (i: number) => plan.survivorOf(plan.eventContactIds[i]!);

  const { patches, groups, links, contactChecks, groupChecks } = collectProfileChanges(events, contactOf);
  await applyContactPatches(db, workspaceId, [...patches.values()], now);
  const accountIds = await upsertAccountsFromGroups(db, workspaceId, [...groups.values()], now);
  await linkContactsToAccounts(
    db,
    workspaceId,
    links.map((l) => ({ contactId: l.contactId, accountId: accountIds.get(l.groupId)! })),
  );
  await recordFieldChecks(db, workspaceId, 'contact', 'ingest', toObjectChecks(contactChecks, (id) => id), now);
  await recordFieldChecks(db, workspaceId, 'account', 'ingest', toObjectChecks(groupChecks, (groupId) => accountIds.get(groupId)), now);
  // Enrichment (seniority, department, e-mail type, account by domain) of the contacts
  // whose profile an identify changed: a few set-based statements per chunk.
  await enrichContactsById(db, workspaceId, [...contactChecks.keys()], now);
  const storedCount = await storeEvents(db, workspaceId, events.map((e, i) => toEventRow(e, contactOf(i))));
  // Scores, stages and segment memberships of these contacts are due (merged-away ones leave).
  await enqueueAudienceWork(db, workspaceId, { ...audienceChangesOf(events, contactOf, plan), accountIds: [...accountIds.values()] });
  return {
    stored: storedCount,
    duplicates: accepted.length - fresh.length,
    blocked: admitted.length - events.length,
    refused: fresh.length - admitted.length,
    merges: plan.merges.length,
    conflicts: plan.conflicts.length,
    contactsTouched: patches.size,
    identitiesAdded: plan.newIdentities.length,
  };
}

/**
 * Checks the chunk against the workspace's tracking plan (violations and unknowns are
 * recorded by the tracking-plan feature) and moves the events a `block` rule refuses to
 * rejected_events, payload and reason kept. Returns the events to process.
 */
async function refuseBlockedEvents(db: Kysely<Database>, workspaceId: string, events: AcceptedEvent[], now: Date): Promise<AcceptedEvent[]> {
  const { blocked } = await checkEventsAgainstTrackingPlan(db, workspaceId, events);
  if (blocked.length === 0) return events;
  await q.insertRejectedRows(
    db,
    workspaceId,
    now,
    blocked.map((b) => {
      const event = events[b.index]!;
      return { type: event.type, message_id: event.messageId, reason: b.reason, field: b.field, payload: JSON.stringify(event) };
    }),
  );
  const refused = new Set(blocked.map((b) => b.index));
  return events.filter((_, i) => !refused.has(i));
}
/** Per object, per field: the newest check by event time (an issue, or null when valid). */
type FieldChecks = Map<string, { at: Date; fields: Map<string, FieldIssue | null> }>;

interface ProfileChanges {
  patches: Map<string, ContactPatch>;
  groups: Map<string, AccountUpsert>;
  links: Array<{ contactId: string; groupId: string }>;
  contactChecks: FieldChecks;
  groupChecks: FieldChecks;
}

function noteChecks(checks: FieldChecks, key: string, at: Date, valid: string[], issues: FieldIssue[]): void {
  const entry = checks.get(key) ?? { at, fields: new Map() };
  // An older event only fills fields the newer ones did not check.
  const newer = at >= entry.at;
  const put = (field: string, issue: FieldIssue | null) => {
    if (newer || !entry.fields.has(field)) entry.fields.set(field, issue);
  };
  for (const field of valid) put(field, null);
  for (const issue of issues) put(issue.field, issue);
  if (newer) entry.at = at;
  checks.set(key, entry);
}

function toObjectChecks(checks: FieldChecks, idOf: (key: string) => string | undefined): ObjectFieldChecks[] {
  return [...checks].flatMap(([key, entry]) => {
    const objectId = idOf(key);
    if (!objectId) return [];
    const fields = [...entry.fields];
    return [{ objectId, validFields: fields.filter(([, i]) => i === null).map(([f]) => f), issues: fields.flatMap(([, i]) => (i ? [i] : [])) }];
  });
}

/** What a chunk changes on contacts (traits, first/last seen) and accounts (group calls). */
/**
 * What each contact of the chunk changed, for audience derivation: a contact that only
 * received track and page events changed by those event names and its first/last seen
 * times; a new or merged contact, or one with an identify, group or alias call, in ways
 * not described (every rule is due).
 */
function audienceChangesOf(events: AcceptedEvent[], contactOf: (i: number) => string, plan: { newContactIds: string[]; merges: Array<{ winnerId: string; loserId: string }> }) {
  const unknown = new Set<string>([...plan.newContactIds, ...plan.merges.flatMap((m) => [m.winnerId, m.loserId])]);
  const described = new Map<string, Set<string>>();
  events.forEach((event, i) => {
    const contactId = contactOf(i);
    if (event.type !== 'track' && event.type !== 'page') unknown.add(contactId);
    if (unknown.has(contactId)) return;
    const changes = described.get(contactId) ?? new Set(['field:first_seen_at', 'field:last_seen_at']);
    if (event.name) changes.add(eventChange(event.name));
    described.set(contactId, changes);
  });
  for (const id of unknown) described.delete(id);
  return { contactIds: [...unknown], contactChanges: new Map([...described].map(([id, c]) => [id, [...c]])) };
}

function collectProfileChanges(events: AcceptedEvent[], contactOf: (i: number) => string): ProfileChanges {
  const changes: ProfileChanges = { patches: new Map(), groups: new Map(), links: [], contactChecks: new Map(), groupChecks: new Map() };
  events.forEach((event, i) => {
    const contactId = contactOf(i);
    const at = new Date(event.timestamp);
    const patch: ContactPatch = changes.patches.get(contactId) ?? { id: contactId, fields: {}, traits: {}, identifiedAt: null, firstSeen: at, lastSeen: at };
    if (at < patch.firstSeen) patch.firstSeen = at;
    if (at > patch.lastSeen) patch.lastSeen = at;
    if (event.type === 'identify') {
      const { fields, custom, issues } = extractContactFields(event.traits, event.context);
      noteChecks(changes.contactChecks, contactId, at, Object.keys(fields), issues);
      // Newest identify (by event time) wins field by field; an older one only fills gaps.
      if (!patch.identifiedAt || at >= patch.identifiedAt) {
        patch.fields = { ...patch.fields, ...fields };
        patch.traits = { ...patch.traits, ...custom };
        patch.identifiedAt = at;
      } else {
        patch.fields = { ...fields, ...patch.fields };
        patch.traits = { ...custom, ...patch.traits };
      }
    }
    changes.patches.set(contactId, patch);
    if (event.type === 'group' && event.groupId) {
      const { fields, custom, issues } = extractAccountFields(event.traits);
      noteChecks(changes.groupChecks, event.groupId, at, Object.keys(fields), issues);
      const group = changes.groups.get(event.groupId) ?? { externalId: event.groupId, fields: {}, traits: {} };
      group.fields = { ...group.fields, ...fields };
      group.traits = { ...group.traits, ...custom };
      changes.groups.set(event.groupId, group);
      changes.links.push({ contactId, groupId: event.groupId });
    }
  });
  return changes;
}

function toIdentified(event: AcceptedEvent): IdentifiedEvent {
  const contextTraits = event.context.traits;
  const email =
    normalizeEmail(event.type === 'identify' ? event.traits.email : undefined) ??
    normalizeEmail(typeof contextTraits === 'object' && contextTraits !== null ? (contextTraits as Record<string, unknown>).email : undefined);
  return {
    type: event.type,
    messageId: event.messageId,
    userId: event.userId,
    anonymousId: event.anonymousId,
    email: email ?? null,
    previousId: event.previousId,
  };
}

/**
 * Stores already-validated events now, in the caller's transaction, under the workspace's
 * processing lock (waiting for a worker that holds it): what CSV imports of events use,
 * so that they go through the same identity resolution and messageId de-duplication.
 */
export async function processEventsNow(trx: Kysely<Database>, workspaceId: string, events: AcceptedEvent[]) {
  await q.lockWorkspaceInbox(trx, workspaceId);
  return processChunk(trx, workspaceId, events);
}
