import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { AuditActor } from '../audit/index.ts';
import { ALL, mergeChanges, PassChanges, PassScope } from './change-sets.ts';
import * as q from './derivation.queries.ts';
import { computeScores, listScoringModels, saveScoringModel } from './scoring.service.ts';
import { listSegmentRows, recomputeSegments } from './segments.service.ts';
import { computeStages, getStageRules, saveStageRules } from './stages.service.ts';

/**
 * Records contacts and accounts whose data changed, for the derivation step. Call it in
 * the transaction that changes them (the ingest processor does), so nothing is missed.
 * `contactIds` and `accountIds` changed in ways not described (every rule is due);
 * `contactChanges` says what changed (see change-sets.ts), so that a pass evaluates only
 * the rules that read it.
 */
export async function enqueueAudienceWork(
  db: Kysely<Database>,
  workspaceId: string,
  changed: { contactIds?: readonly string[]; accountIds?: readonly string[]; contactChanges?: ReadonlyMap<string, readonly string[]> },
): Promise<void> {
  const contacts = new Map<string, readonly string[] | null>(changed.contactChanges ?? []);
  for (const id of changed.contactIds ?? []) contacts.set(id, null);
  await q.insertQueueEntries(db, workspaceId, 'contact', [...contacts].map(([id, changes]) => ({ id, changes })));
  await q.insertQueueEntries(db, workspaceId, 'account', [...new Set(changed.accountIds ?? [])].map((id) => ({ id, changes: null })));
}

export interface DeriveOutcome {
  queued: number;
  /** Queue rows taken (a contact queued twice is one entity, two rows). */
  taken: number;
  /** The contacts whose changes were taken from the queue (for latency measurements). */
  touchedContacts: string[];
  contacts: number;
  accounts: number;
  scoreChanges: number;
  stageMoves: number;
  membershipChanges: number;
  /** Milliseconds per step of the pass (queue, scope, scores, stages, segments). */
  timings: Record<string, number>;
}

const DEFAULT_TAKE = 2_000;

type AudienceRules = Awaited<ReturnType<typeof readAudienceRules>>;

async function readAudienceRules(db: Kysely<Database>, workspaceId: string) {
  const [segments, models, stageRules] = [await listSegmentRows(db, workspaceId), await listScoringModels(db, workspaceId), await getStageRules(db, workspaceId)];
  return { segments, models, stageRules };
}

/** The rules of the workspaces this process derives, with the fingerprint they were read at. */
const rulesCache = new Map<string, { fingerprint: string; rules: AudienceRules }>();

/**
 * What a derivation pass reads once and hands to scores, stages and segments: read again
 * only when the fingerprint of the rows (taken with the queue, in the same round trip)
 * differs from the one they were read at, whoever changed them.
 */
async function loadAudienceRules(db: Kysely<Database>, workspaceId: string, fingerprint: string): Promise<AudienceRules> {
  const cached = rulesCache.get(workspaceId);
  if (cached?.fingerprint === fingerprint) return cached.rules;
  const rules = await readAudienceRules(db, workspaceId);
  rulesCache.set(workspaceId, { fingerprint, rules });
  return rules;
}

/**
 * The incremental path: takes queued contacts/accounts and, in one transaction, updates
 * scores -> stages -> segment memberships for them and for what depends on them (their
 * accounts, and, when a contact rule reads the account, those accounts' other contacts).
 * All queued work goes in one set-based pass (up to `limit` entities), so a pass costs
 * little more for many contacts than for one and throughput rises with the load. Returns
 * undefined when the queue is empty or another worker holds it.
 */
export async function deriveQueuedAudiences(db: Kysely<Database>, workspaceId: string, options: { now?: Date; limit?: number } = {}): Promise<DeriveOutcome | undefined> {
  return db.transaction().execute(async (trx) => {
    const timings: Record<string, number> = {};
    let mark = performance.now();
    const lap = (step: string) => {
      const t = performance.now();
      timings[step] = t - mark;
      mark = t;
    };
    // What a pass writes can be derived again: should the server crash before this commit
    // reaches the disk, its queue rows come back with it and are derived again. So the
    // commit need not wait for the WAL flush (takeQueueEntries sets that).
    const taken = await q.takeQueueEntries(trx, workspaceId, options.limit ?? DEFAULT_TAKE);
    if (taken.contacts.size + taken.accounts.size === 0) return undefined;
    lap('queue');
    const rules = await loadAudienceRules(trx, workspaceId, taken.rulesFingerprint);
    const documents = [...rules.segments.filter((s) => s.type === 'dynamic').map((s) => s.definition), ...rules.models.map((m) => m.definition), rules.stageRules];
    const reach = accountReachOf(documents);
    const touchedContacts = [...taken.contacts.keys()];
    const touchedAccounts = [...taken.accounts.keys()];
    const accountsOfTouched = [...new Set(taken.links.map((l) => l.accountId))];
    // Other contacts of an account are due only if a contact rule reads something of the
    // account that this change can move: its fields (a touched account), or what sums over
    // its contacts (scores, contacts, segments) for any account a touched contact is in.
    const expandFrom = [...new Set(reach.aggregates ? [...touchedAccounts, ...accountsOfTouched] : reach.fields ? touchedAccounts : [])];
    const viaAccounts = await q.selectContactsOfAccounts(trx, workspaceId, expandFrom);
    const contacts = [...new Set([...touchedContacts, ...viaAccounts])];
    // The accounts of contacts added through an account (they may have other accounts).
    const links = [...taken.links, ...(await q.selectLinksOfContacts(trx, workspaceId, contacts.filter((id) => !taken.contacts.has(id))))];
    const accounts = [...new Set([...touchedAccounts, ...links.map((l) => l.accountId)])];
    const contactChanges = new PassChanges([...taken.contacts].map(([id, lists]) => [id, mergeChanges(lists)]));
    // What those contacts read of the account may have moved (the touched ones' too).
    contactChanges.add(viaAccounts, 'account');
    const pass = new PassScope(contacts, accounts, contactChanges, new PassChanges(touchedAccounts.map((id) => [id, ALL])), links);
    const now = options.now ?? new Date();
    lap('scope');
    const scoreChanges = await computeScores(trx, workspaceId, { now, pass, rules });
    lap('scores');
    const stageMoves = await computeStages(trx, workspaceId, { now, pass, rules });
    lap('stages');
    const changes = await recomputeSegments(trx, workspaceId, { now, pass, rules });
    lap('segments');
    const membershipChanges = Object.values(changes).reduce((n, c) => n + c.entered + c.exited, 0);
    return { queued: touchedContacts.length + touchedAccounts.length, taken: taken.rows, touchedContacts, contacts: contacts.length, accounts: accounts.length, scoreChanges, stageMoves, membershipChanges, timings };
  });
}

/**
 * What contact rules read of a contact's account: `fields` when any rule has an `account`
 * condition; `aggregates` when one of those reads what the account's contacts make up
 * (account scores, `contacts` conditions, account segments). Walks every document whole,
 * so it errs towards recomputing more.
 */
export function accountReachOf(documents: unknown[]): { fields: boolean; aggregates: boolean } {
  const reach = { fields: false, aggregates: false };
  const walk = (node: unknown, inAccount: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n) => walk(n, inAccount));
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'account') reach.fields = true;
      if (inAccount && (key === 'contacts' || key === 'score' || key === 'segment')) reach.aggregates = true;
      walk(value, inAccount || key === 'account');
    }
  };
  walk(documents, false);
  return reach;
}

/** Drains every workspace's queue. */
export async function drainAudienceQueue(db: Kysely<Database>, options: { now?: Date; limit?: number } = {}): Promise<DeriveOutcome[]> {
  const outcomes: DeriveOutcome[] = [];
  for (const workspaceId of await q.selectWorkspacesWithQueue(db)) {
    for (;;) {
      const outcome = await deriveQueuedAudiences(db, workspaceId, options);
      if (!outcome) break;
      outcomes.push(outcome);
    }
  }
  return outcomes;
}

/**
 * The full path: every score, stage and dynamic segment of the workspace, as of `now`.
 * Run on a schedule (time windows and decay move with the clock) and after a model or
 * rule change.
 */
export async function recomputeAudiences(db: Kysely<Database>, workspaceId: string, options: { now?: Date } = {}) {
  const now = options.now ?? new Date();
  return db.transaction().execute(async (trx) => {
    await q.lockWorkspaceAudiences(trx, workspaceId, true);
    const scoreChanges = await computeScores(trx, workspaceId, { now });
    const stageMoves = await computeStages(trx, workspaceId, { now });
    if (scoreChanges + stageMoves > 0) await q.analyzeDerivedTables(trx);
    const segments = await recomputeSegments(trx, workspaceId, { now });
    return { scoreChanges, stageMoves, segments };
  });
}

/** Saves a scoring model and recomputes what reads scores (scores, stages, segments). */
export async function applyScoringModel(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor, now = new Date()) {
  const saved = await db.transaction().execute((trx) => saveScoringModel(trx, workspaceId, input, actor));
  return { ...saved, recompute: await recomputeAudiences(db, workspaceId, { now }) };
}

/** Saves stage rules and recomputes stages and the segments that read them. */
export async function applyStageRules(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor, now = new Date()) {
  const rules = await db.transaction().execute((trx) => saveStageRules(trx, workspaceId, input, actor));
  return { rules, recompute: await recomputeAudiences(db, workspaceId, { now }) };
}

/**
 * SEAM for merges (dedupe, identity): call in the merge's transaction after events moved
 * to the winner. The loser's memberships end (exits recorded), its scores go, the winner
 * keeps the further lifecycle stage; both are queued so the next derivation recomputes
 * the winner from its merged events and traits.
 */
export async function mergeAudienceState(db: Kysely<Database>, workspaceId: string, winnerId: string, loserId: string, now = new Date()): Promise<void> {
  const rules = await getStageRules(db, workspaceId);
  await q.moveAudienceStateOnMerge(db, workspaceId, winnerId, loserId, (rules?.lifecycle ?? []).map((r) => r.stage), now);
  await enqueueAudienceWork(db, workspaceId, { contactIds: [winnerId, loserId] });
}

export const countAudienceQueue = q.countQueue;
export const analyzeAudienceTables = q.analyzeAudienceTables;
