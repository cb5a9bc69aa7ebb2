import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { getAccount } from '../accounts/index.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { getContact, listContacts } from '../contacts/index.ts';
import { conversionBands, rocAuc, suggestThreshold, type Band, type Outcome } from './backtest-stats.ts';
import { eventChange, readsOf, scoreChange, type PassScope } from './change-sets.ts';
import { compileCondition, type CompileContext } from './conditions.queries.ts';
import { parseScoringModel, type ScoringModel } from './scoring-model.ts';
import * as q from './scoring.queries.ts';
import type { TotalChange } from './scoring.queries.ts';
import { compileContextOf, loadCompileContext, type SegmentRow } from './segments.service.ts';

export type ScoringModelRow = Awaited<ReturnType<typeof q.selectModels>>[number];
const DEFAULT_LOOKBACK_DAYS = 365;

/** Validates a model against the workspace (conditions compile) and saves it, audited. */
export async function saveScoringModel(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor): Promise<{ model: ScoringModelRow; created: boolean }> {
  const model = parseScoringModel(input);
  const ctx = await loadCompileContext(db, workspaceId, new Date());
  // Compile once to refuse bad rules (unknown fields, operators on wrong types) before saving.
  const probe: CompileContext = { ...ctx, models: new Map([...ctx.models, [model.name, '00000000-0000-0000-0000-000000000000']]) };
  compileModelParts(workspaceId, model, probe, undefined);
  compileAccountFit(model, probe);
  const existing = await q.selectModelByName(db, workspaceId, model.name);
  const row = await q.upsertModel(db, workspaceId, model.name, model.description ?? null, model as Record<string, unknown>);
  await recordAudit(db, { workspaceId, actor, action: existing ? 'scoring_model.updated' : 'scoring_model.created', objectType: 'scoring_model', objectId: row.id, details: { name: model.name, definition: model } });
  return { model: row, created: !existing };
}

/** A model's contact rules: each one's name, what it reads, and its point rows for a scope. */
function contactRulesOf(workspaceId: string, model: ScoringModel, ctx: CompileContext) {
  const fit = (model.fit ?? []).map((rule, i) => ({
    name: rule.name,
    reads: readsOf(rule.when),
    parts: (scope: readonly string[] | undefined) =>
      q.fitRuleParts(workspaceId, rule.name, rule.points, compileCondition(rule.when, { subject: 'contact', alias: 'x', scope }, ctx, `fit[${i}].when`), scope),
  }));
  const engagement = (model.engagement ?? []).map((rule) => ({
    name: rule.name,
    reads: new Set([eventChange(rule.event)]),
    parts: (scope: readonly string[] | undefined) =>
      q.engagementRuleParts(workspaceId, rule, { now: ctx.now, halfLifeDays: model.decay?.half_life_days, lookbackDays: model.lookback_days ?? DEFAULT_LOOKBACK_DAYS, scope }),
  }));
  return [...fit, ...engagement];
}

function compileModelParts(workspaceId: string, model: ScoringModel, ctx: CompileContext, scope: readonly string[] | undefined) {
  return contactRulesOf(workspaceId, model, ctx).map((rule) => rule.parts(scope));
}

function compileAccountFit(model: ScoringModel, ctx: CompileContext) {
  return (model.account_fit ?? []).map((rule, i) => ({ points: rule.points, predicate: compileCondition(rule.when, { subject: 'account', alias: 'x' }, ctx, `account_fit[${i}].when`) }));
}

/**
 * Recomputes contact and account scores of every model (or `only` some): every row, or,
 * in an incremental pass, each rule for the contacts whose changes it reads and the
 * accounts whose contacts' scores or own data changed. Each rule's points are diffed with
 * the stored ones; a change is logged with its rule.
 */
export async function computeScores(
  db: Kysely<Database>,
  workspaceId: string,
  options: { now?: Date; pass?: PassScope; only?: string[]; rules?: { segments: SegmentRow[]; models: ScoringModelRow[] } } = {},
): Promise<number> {
  const now = options.now ?? new Date();
  const ctx = options.rules ? compileContextOf(workspaceId, now, options.rules) : await loadCompileContext(db, workspaceId, now);
  let changes = 0;
  for (const row of options.rules?.models ?? (await q.selectModels(db, workspaceId))) {
    if (options.only && !options.only.includes(row.name)) continue;
    const model = row.definition as ScoringModel;
    if (options.pass) {
      changes += await syncModelInPass(db, workspaceId, row, ctx, options.pass, now);
      continue;
    }
    const all = await q.syncContactScores(db, { workspaceId, modelId: row.id, parts: compileModelParts(workspaceId, model, ctx, undefined), due: undefined, now });
    changes += all.changes;
    await q.syncAccountScores(db, { workspaceId, modelId: row.id, fitRules: compileAccountFit(model, ctx), scope: undefined, now });
    await q.markModelComputed(db, workspaceId, row.id, now);
  }
  return changes;
}

/** One model in an incremental pass: the due rules of the due contacts, then the due accounts. */
async function syncModelInPass(db: Kysely<Database>, workspaceId: string, row: ScoringModelRow, ctx: CompileContext, pass: PassScope, now: Date): Promise<number> {
  const model = row.definition as ScoringModel;
  const due = contactRulesOf(workspaceId, model, ctx)
    .map((rule) => ({ rule, ids: pass.contactsDue(rule.reads) }))
    .filter((d) => d.ids.length > 0);
  let result: { changes: number; totals: TotalChange[] } = { changes: 0, totals: [] };
  if (due.length > 0) {
    const pairs = { contacts: due.flatMap((d) => d.ids), rules: due.flatMap((d) => d.ids.map(() => d.rule.name)) };
    result = await q.syncContactScores(db, { workspaceId, modelId: row.id, parts: due.map((d) => d.rule.parts(d.ids)), due: pairs, now });
    pass.contactsChanged(new Set(pairs.contacts), scoreChange(row.name));
  }
  const accounts = await syncAccountsInPass(db, workspaceId, row.id, model, ctx, pass, result.totals, now);
  pass.accountsChanged(accounts, scoreChange(row.name));
  return result.changes;
}

/**
 * Account scores in a pass. An account whose own data changed (or whose contacts' data an
 * account fit rule reads) is rolled up again from all its contacts; one whose contacts'
 * engagement moved gets the difference added (an account's engagement is their sum); one
 * whose contacts' fit moved, or that has no row yet, is rolled up again. Returns the
 * accounts whose score may have changed.
 */
async function syncAccountsInPass(db: Kysely<Database>, workspaceId: string, modelId: string, model: ScoringModel, ctx: CompileContext, pass: PassScope, totals: TotalChange[], now: Date) {
  const full = new Set(pass.accountsDue(new Set((model.account_fit ?? []).flatMap((r) => [...readsOf(r.when)]))));
  const moved = new Map(totals.map((t) => [t.contactId, t]));
  const deltas = new Map<string, number>();
  for (const { contactId, accountId } of pass.links) {
    const t = moved.get(contactId);
    if (!t || full.has(accountId)) continue;
    // The best contact fit is a maximum, and a row coming or going changes what it is taken over.
    if (!t.before || !t.after || t.before.fit !== t.after.fit) full.add(accountId);
    else deltas.set(accountId, (deltas.get(accountId) ?? 0) + t.after.engagement - t.before.engagement);
  }
  for (const [id, delta] of deltas) if (delta === 0 || full.has(id)) deltas.delete(id);
  const added = await q.addAccountEngagement(db, { workspaceId, modelId, deltas, now });
  for (const id of deltas.keys()) if (!added.has(id)) full.add(id);
  if (full.size > 0) await q.syncAccountScores(db, { workspaceId, modelId, fitRules: compileAccountFit(model, ctx), scope: [...full], now });
  return [...full, ...added];
}

export const listScoringModels = q.selectModels;
/** A contact's scores per model (fit, engagement, total): templates personalise with them. */
export const getScoresOfContact = q.selectContactScores;

export async function getScoringModel(db: Kysely<Database>, workspaceId: string, name: string): Promise<ScoringModelRow> {
  const row = await q.selectModelByName(db, workspaceId, name);
  if (!row) throw new AppError('not_found', `No scoring model named ${JSON.stringify(name)} in this workspace`);
  return row;
}

export async function deleteScoringModel(db: Kysely<Database>, workspaceId: string, name: string, actor: AuditActor): Promise<void> {
  const row = await getScoringModel(db, workspaceId, name);
  await q.deleteModelRow(db, workspaceId, row.id);
  await recordAudit(db, { workspaceId, actor, action: 'scoring_model.deleted', objectType: 'scoring_model', objectId: row.id, details: { name } });
}

/** A contact id from an id or an email address. */
export async function findContactId(db: Kysely<Database>, workspaceId: string, idOrEmail: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrEmail)) return (await getContact(db, workspaceId, idOrEmail)).id;
  const [contact] = await listContacts(db, workspaceId, { email: idOrEmail, limit: 1 });
  if (!contact) throw new AppError('not_found', `No contact with email ${JSON.stringify(idOrEmail)} in this workspace`);
  return contact.id;
}

/** Why a contact has its scores: each rule's points now, and the latest changes with their rule. */
export async function explainScores(db: Kysely<Database>, workspaceId: string, idOrEmail: string, options: { changes?: number } = {}) {
  const contactId = await findContactId(db, workspaceId, idOrEmail);
  const [scores, parts, changes] = await Promise.all([
    q.selectContactScores(db, workspaceId, contactId),
    q.selectScoreParts(db, workspaceId, contactId),
    q.selectScoreChanges(db, workspaceId, contactId, options.changes ?? 20),
  ]);
  return { contact_id: contactId, scores: scores.map((s) => ({ ...s, rules: parts.filter((p) => p.model === s.model) })), changes };
}

/** An account's scores per model; not_found when the account is not in the workspace. */
export async function getAccountScores(db: Kysely<Database>, workspaceId: string, accountId: string) {
  await getAccount(db, workspaceId, accountId);
  return q.selectAccountScores(db, workspaceId, accountId);
}

export interface Backtest {
  model: string;
  opportunities: number;
  won: number;
  roc_auc: number | null;
  bands: Band[];
  suggested_mql_threshold: ReturnType<typeof suggestThreshold>;
  note: string;
}

/**
 * How well a model's account scores at each deal's creation separated won from lost deals:
 * engagement is recomputed as of that day from the events before it; fit reads today's
 * fields (Keel keeps no history of trait values).
 */
export async function backtestModel(db: Kysely<Database>, workspaceId: string, name: string, options: { bands?: number } = {}): Promise<Backtest> {
  const row = await getScoringModel(db, workspaceId, name);
  const model = row.definition as ScoringModel;
  const outcomes: Outcome[] = [];
  for (const deal of await q.selectClosedOpportunities(db, workspaceId)) {
    const ctx = await loadCompileContext(db, workspaceId, new Date(deal.created_date));
    const contacts = deal.contact_ids.length > 0 ? await q.sumParts(db, compileModelParts(workspaceId, model, ctx, deal.contact_ids)) : [];
    const accountFit = await q.selectAccountFit(db, workspaceId, deal.account_id, compileAccountFit(model, ctx));
    const score = accountFit + Math.max(0, ...contacts.map((c) => c.fit)) + contacts.reduce((n, c) => n + c.engagement, 0);
    outcomes.push({ score, won: deal.is_won });
  }
  return {
    model: name,
    opportunities: outcomes.length,
    won: outcomes.filter((o) => o.won).length,
    roc_auc: rocAuc(outcomes),
    bands: conversionBands(outcomes, options.bands ?? 5),
    suggested_mql_threshold: suggestThreshold(outcomes),
    note: 'account score at each deal creation: engagement from events before it, fit from current fields',
  };
}
