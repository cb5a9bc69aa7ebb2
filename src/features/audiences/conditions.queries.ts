import { sql, type RawBuilder } from 'kysely';
import type { Condition, EventTest } from './conditions.ts';
import { compileConsentCondition } from './consent-seam.ts';
import { compileTest, invalid, type Operand } from './field-tests.queries.ts';

type Bool = RawBuilder<unknown>;
export type Subject = 'contact' | 'account';

const CONTACT_FIELDS: Record<string, 'text' | 'time'> = {
  email: 'text', phone: 'text', first_name: 'text', last_name: 'text', title: 'text', company: 'text', country: 'text', timezone: 'text',
  created_at: 'time', updated_at: 'time', first_seen_at: 'time', last_seen_at: 'time',
};
const ACCOUNT_FIELDS: Record<string, 'text' | 'number' | 'time'> = {
  external_id: 'text', domain: 'text', name: 'text', industry: 'text', country: 'text',
  employees: 'number', annual_revenue: 'number', created_at: 'time', updated_at: 'time',
};
export const FIELD_NAMES = { contact: Object.keys(CONTACT_FIELDS), account: Object.keys(ACCOUNT_FIELDS) };

/** What a compilation needs to know about the workspace, and what it learns. */
export interface CompileContext {
  workspaceId: string;
  now: Date;
  /** Segments by name, for `segment:` conditions. */
  segments: ReadonlyMap<string, { id: string; subject: Subject }>;
  /** Scoring models by name. */
  models: ReadonlyMap<string, string>;
  /** Filled while compiling: segment names read, and whether the clock is read. */
  usedSegments: Set<string>;
  timeDependent: boolean;
  aliases: number;
}

export function newCompileContext(base: Pick<CompileContext, 'workspaceId' | 'now' | 'segments' | 'models'>): CompileContext {
  return { ...base, usedSegments: new Set(), timeDependent: false, aliases: 0 };
}

/** The row being tested: its alias and, at the top level of an incremental run, the ids in scope. */
export interface Subjectref {
  subject: Subject;
  alias: string;
  scope?: readonly string[] | undefined;
  /**
   * The row is reached from an outer row of an incremental run (a contact's account, an
   * account's contacts): tests look up the few rows of that one subject instead of
   * hashing a whole table, which a run over a handful of subjects could not afford. A full
   * recompute hashes (no scope, not correlated).
   */
  correlated?: boolean | undefined;
}

/** Rows reached from a scoped (incremental) row are few: look them up rather than hash. */
const lookupsOnly = (on: Subjectref) => Boolean(on.scope ?? on.correlated);
const ref = (alias: string, column: string) => sql.ref(`${alias}.${column}`);
const nextAlias = (ctx: CompileContext, prefix: string) => `${prefix}${++ctx.aliases}`;

/**
 * Compiles a condition to a boolean SQL expression over `on.alias`. Every user value is a
 * bound parameter; identifiers come from the fixed field lists above, never from input.
 * Throws `invalid` naming the path of the offending node.
 */
export function compileCondition(node: Condition, on: Subjectref, ctx: CompileContext, path: string): Bool {
  const [kind] = Object.keys(node).filter((k) => (node as Record<string, unknown>)[k] !== undefined);
  const at = `${path}.${kind}`;
  if (node.all) return joinAll(node.all.map((c, i) => compileCondition(c, on, ctx, `${at}[${i}]`)), 'and');
  if (node.any) return joinAll(node.any.map((c, i) => compileCondition(c, on, ctx, `${at}[${i}]`)), 'or');
  if (node.not) return sql`(not ${compileCondition(node.not, on, ctx, at)})`;
  if (node.field) return compileField(node.field.name, on, at, (o) => compileTest(o, node.field!.op, node.field!.value, at, ctx.now), ctx, node.field.op);
  if (node.trait) {
    noteClock(ctx, node.trait.op);
    return compileTest({ kind: 'json', doc: ref(on.alias, 'traits'), path: node.trait.name.split('.') }, node.trait.op, node.trait.value, at, ctx.now);
  }
  if (node.segment) return compileSegmentRef(node.segment.name, on, ctx, at);
  if (node.score) return compileScore(node.score, on, ctx, at);
  if (on.subject === 'contact') return compileContactOnly(node, on, ctx, at, kind);
  return compileAccountOnly(node, on, ctx, at, kind);
}

export function joinAll(parts: Bool[], op: 'and' | 'or'): Bool {
  if (parts.length === 0) return op === 'and' ? sql`true` : sql`false`;
  return sql`(${sql.join(parts, sql.raw(` ${op} `))})`;
}

function noteClock(ctx: CompileContext, op: string): void {
  if (op === 'within_last_days') ctx.timeDependent = true;
}

function compileField(name: string, on: Subjectref, at: string, test: (o: Operand) => Bool, ctx: CompileContext, op: string): Bool {
  const fields: Record<string, string> = on.subject === 'contact' ? CONTACT_FIELDS : ACCOUNT_FIELDS;
  const kind = fields[name];
  if (!kind) throw invalid(`${at}.name`, `unknown ${on.subject} field ${JSON.stringify(name)} (one of ${Object.keys(fields).join(', ')}; custom data is a trait)`);
  noteClock(ctx, op);
  return test({ kind: kind as 'text' | 'number' | 'time', expr: ref(on.alias, name) });
}

function compileContactOnly(node: Condition, on: Subjectref, ctx: CompileContext, at: string, kind: string | undefined): Bool {
  if (node.event) return compileEvent(node.event, on, ctx, at);
  if (node.account) {
    const ca = nextAlias(ctx, 'ca');
    const a = nextAlias(ctx, 'a');
    const inner = compileCondition(node.account, { subject: 'account', alias: a, correlated: lookupsOnly(on) }, ctx, at);
    return sql`exists (select 1 from contact_accounts ${sql.id(ca)} join accounts ${sql.id(a)} on ${ref(a, 'workspace_id')} = ${ref(ca, 'workspace_id')} and ${ref(a, 'id')} = ${ref(ca, 'account_id')}
      where ${ref(ca, 'workspace_id')} = ${ctx.workspaceId}::uuid and ${ref(ca, 'contact_id')} = ${ref(on.alias, 'id')} and ${inner})`;
  }
  if (node.stage) {
    const s = nextAlias(ctx, 's');
    const dimension = sql`${ref(s, 'workspace_id')} = ${ctx.workspaceId}::uuid and ${ref(s, 'dimension')} = ${node.stage.dimension ?? 'lifecycle'}`;
    const test = (expr: Bool) => compileTest({ kind: 'text', expr }, node.stage!.op, node.stage!.value, at, ctx.now);
    return compileStoredTest(on, { table: 'contact_stages', alias: s, key: 'contact_id', filter: dimension, test: test(ref(s, 'stage')), testOfMissing: test(sql`null::text`) });
  }
  if (node.consent) return compileConsentCondition(node.consent, ref(on.alias, 'id'), ctx.workspaceId, at);
  throw invalid(at, `"${kind}" conditions apply to accounts; in a contact segment wrap it in account: { ${kind}: ... }`);
}

function compileAccountOnly(node: Condition, on: Subjectref, ctx: CompileContext, at: string, kind: string | undefined): Bool {
  if (node.contacts) {
    const ca = nextAlias(ctx, 'ca');
    const c = nextAlias(ctx, 'c');
    const where = node.contacts.where ? compileCondition(node.contacts.where, { subject: 'contact', alias: c, correlated: lookupsOnly(on) }, ctx, `${at}.where`) : sql`true`;
    const from = sql`from contact_accounts ${sql.id(ca)} join contacts ${sql.id(c)} on ${ref(c, 'workspace_id')} = ${ref(ca, 'workspace_id')} and ${ref(c, 'id')} = ${ref(ca, 'contact_id')}
      where ${ref(ca, 'workspace_id')} = ${ctx.workspaceId}::uuid and ${ref(ca, 'account_id')} = ${ref(on.alias, 'id')} and ${where}`;
    const atLeast = node.contacts.at_least ?? 1;
    if (atLeast === 1) return sql`exists (select 1 ${from})`;
    if (lookupsOnly(on)) return sql`((select count(*) ${from}) >= ${atLeast}::int)`;
    // Every account at once: one grouped pass over the links, not a count per account
    // (b18 of the bench, 100,000 accounts).
    const grouped = sql`select ${ref(ca, 'account_id')} from contact_accounts ${sql.id(ca)} join contacts ${sql.id(c)} on ${ref(c, 'workspace_id')} = ${ref(ca, 'workspace_id')} and ${ref(c, 'id')} = ${ref(ca, 'contact_id')}
      where ${ref(ca, 'workspace_id')} = ${ctx.workspaceId}::uuid and ${where} group by 1 having count(*) >= ${atLeast}::int`;
    return sql`(${ref(on.alias, 'id')} in (${grouped}))`;
  }
  if (node.opportunity) {
    const o = nextAlias(ctx, 'o');
    const t = node.opportunity;
    const parts: Bool[] = [sql`${ref(o, 'workspace_id')} = ${ctx.workspaceId}::uuid`, sql`${ref(o, 'account_id')} = ${ref(on.alias, 'id')}`];
    if (t.status === 'open') parts.push(sql`not ${ref(o, 'is_closed')}`);
    if (t.status === 'won') parts.push(sql`${ref(o, 'is_closed')} and ${ref(o, 'is_won')}`);
    if (t.status === 'lost') parts.push(sql`${ref(o, 'is_closed')} and not ${ref(o, 'is_won')}`);
    if (t.stage !== undefined) parts.push(sql`${ref(o, 'stage')} = ${t.stage}::text`);
    if (t.min_amount !== undefined) parts.push(sql`${ref(o, 'amount')} >= ${t.min_amount}::numeric`);
    if (t.within_last_days !== undefined) {
      ctx.timeDependent = true;
      parts.push(sql`${ref(o, 'created_date')} >= ${new Date(ctx.now.getTime() - t.within_last_days * 86_400_000).toISOString()}::timestamptz`);
    }
    return sql`exists (select 1 from opportunities ${sql.id(o)} where ${joinAll(parts, 'and')})`;
  }
  throw invalid(at, `"${kind}" conditions apply to contacts; in an account segment wrap it in contacts: { where: { ${kind}: ... } }`);
}

function compileSegmentRef(name: string, on: Subjectref, ctx: CompileContext, at: string): Bool {
  const target = ctx.segments.get(name);
  if (!target) throw invalid(`${at}.name`, `unknown segment ${JSON.stringify(name)}`);
  if (target.subject !== on.subject) throw invalid(`${at}.name`, `segment ${JSON.stringify(name)} holds ${target.subject}s, and this condition tests a ${on.subject}`);
  ctx.usedSegments.add(name);
  const m = nextAlias(ctx, 'm');
  return sql`exists (select 1 from segment_members ${sql.id(m)} where ${ref(m, 'workspace_id')} = ${ctx.workspaceId}::uuid and ${ref(m, 'segment_id')} = ${target.id}::uuid and ${ref(m, 'member_id')} = ${ref(on.alias, 'id')})`;
}

function compileScore(test_: NonNullable<Condition['score']>, on: Subjectref, ctx: CompileContext, at: string): Bool {
  const modelId = ctx.models.get(test_.model);
  if (!modelId) throw invalid(`${at}.model`, `unknown scoring model ${JSON.stringify(test_.model)}`);
  const of = test_.of ?? 'total';
  if (of === 'contact_fit' && on.subject === 'contact') throw invalid(`${at}.of`, '"contact_fit" is an account score; a contact has total, fit and engagement');
  const s = nextAlias(ctx, 's');
  const [table, key] = on.subject === 'contact' ? ['contact_scores', 'contact_id'] : ['account_scores', 'account_id'];
  const test = (expr: Bool) => compileTest({ kind: 'number', expr }, test_.op, test_.value, at, ctx.now);
  const filter = sql`${ref(s, 'workspace_id')} = ${ctx.workspaceId}::uuid and ${ref(s, 'model_id')} = ${modelId}::uuid`;
  // No row means no points: a contact nobody scored has 0.
  return compileStoredTest(on, { table, alias: s, key, filter, test: test(ref(s, of)), testOfMissing: test(sql`0::int`) });
}

/**
 * A test on a value stored one row per subject (a score, a stage), as a set test the
 * planner hashes once, not a lookup per row: members are the rows passing the test, or,
 * when a subject without a row passes too (score >= -5 holds for 0 points), every subject
 * but the rows failing it. The test of the missing value is a constant the planner folds.
 */
function compileStoredTest(on: Subjectref, t: { table: string; alias: string; key: string; filter: Bool; test: Bool; testOfMissing: Bool }): Bool {
  const id = ref(on.alias, 'id');
  // One key lookup per row on an incremental run: the plan does not depend on statistics.
  if (lookupsOnly(on)) {
    return sql`coalesce((select ${t.test} from ${sql.table(t.table)} ${sql.id(t.alias)} where ${t.filter} and ${ref(t.alias, t.key)} = ${id}), ${t.testOfMissing})`;
  }
  const rows = (test: Bool) => sql`select ${ref(t.alias, t.key)} from ${sql.table(t.table)} ${sql.id(t.alias)} where ${t.filter} and ${test}`;
  return sql`(case when ${t.testOfMissing} then ${id} not in (${rows(sql`not (${t.test})`)}) else ${id} in (${rows(t.test)}) end)`;
}

/**
 * Events of the contact: counted with a hashed grouping on a full recompute; on an
 * incremental run (scope) counted per contact through the (contact, name, time) index, a
 * plan that holds whatever the statistics say (a set test scoped by `= any(ids)` was
 * planned on the time index when the window looked empty: 44 ms instead of 0.1 ms).
 */
function compileEvent(test: EventTest, on: Subjectref, ctx: CompileContext, at: string): Bool {
  const e = nextAlias(ctx, 'e');
  const perRow = lookupsOnly(on);
  const where = joinAll(eventFilters(test, e, ctx, at, perRow), 'and');
  if (test.never && (test.at_least !== undefined || test.at_most !== undefined)) throw invalid(at, '"never" cannot be combined with at_least or at_most');
  const atLeast = test.never ? undefined : (test.at_least ?? (test.at_most === undefined ? 1 : undefined));
  if (perRow && (test.never || (atLeast === undefined && test.at_most !== undefined))) return compileCorrelatedEvent(on, e, where, 0, test.never ? 0 : test.at_most);
  if (test.never || (atLeast === undefined && test.at_most !== undefined)) {
    // not exists over the grouped contacts, which the planner turns into an anti join; a
    // 'not in' subplan is hashed only while the set fits in work_mem, and otherwise
    // rescanned for every contact.
    const over = test.never ? 0 : test.at_most!;
    const g = nextAlias(ctx, 'g');
    const grouped = sql`select ${ref(e, 'contact_id')} as contact_id from events ${sql.id(e)} where ${where} group by 1 having count(*) > ${over}::int`;
    return sql`(not exists (select 1 from (${grouped}) ${sql.id(g)} where ${ref(g, 'contact_id')} = ${ref(on.alias, 'id')}))`;
  }
  if (atLeast !== undefined && test.at_most !== undefined && test.at_most < atLeast) throw invalid(`${at}.at_most`, `at_most (${test.at_most}) is below at_least (${atLeast})`);
  const having = test.at_most === undefined ? sql`count(*) >= ${atLeast}::int` : sql`count(*) between ${atLeast}::int and ${test.at_most}::int`;
  if (perRow) return compileCorrelatedEvent(on, e, where, atLeast ?? 0, test.never ? 0 : test.at_most);
  if (atLeast === 1 && test.at_most === undefined) return sql`(${ref(on.alias, 'id')} in (select ${ref(e, 'contact_id')} from events ${sql.id(e)} where ${where}))`;
  return sql`(${ref(on.alias, 'id')} in (select ${ref(e, 'contact_id')} from events ${sql.id(e)} where ${where} group by 1 having ${having}))`;
}

/** The events of one outer contact, counted through its index (see Subjectref.correlated). */
function compileCorrelatedEvent(on: Subjectref, e: string, where: Bool, atLeast: number, atMost: number | undefined): Bool {
  const of = sql`from events ${sql.id(e)} where ${where} and ${ref(e, 'contact_id')} = ${ref(on.alias, 'id')}`;
  if (atMost === undefined && atLeast <= 1) return sql`exists (select 1 ${of})`;
  if (atMost === 0) return sql`not exists (select 1 ${of})`;
  const count = sql`(select count(*) ${of})`;
  return atMost === undefined ? sql`(${count} >= ${atLeast}::int)` : sql`(${count} between ${atLeast}::int and ${atMost}::int)`;
}

/**
 * The event time as per-contact lookups test it: an expression that an index on time
 * alone cannot serve, so that the planner reads the contact's events through the
 * (contact, name, time) index. Statistics lag the newest events, so a recent window often
 * looks empty; a time index then ties on cost and may win, reading every event of the
 * window for one contact (45,000 rows, 27 ms at 20k contacts, measured).
 */
export const eventTimeOfOneContact = (e: string) => sql`(${ref(e, 'timestamp')} + interval '0 s')`;

function eventFilters(test: EventTest, e: string, ctx: CompileContext, at: string, perRow: boolean): Bool[] {
  const ts = perRow ? eventTimeOfOneContact(e) : ref(e, 'timestamp');
  const filters: Bool[] = [sql`${ref(e, 'workspace_id')} = ${ctx.workspaceId}::uuid`, sql`${ref(e, 'name')} = ${test.name}::text`, sql`${ref(e, 'contact_id')} is not null`];
  filters.push(sql`${ts} <= ${ctx.now.toISOString()}::timestamptz`);
  if (test.within_last_days !== undefined) {
    ctx.timeDependent = true;
    filters.push(sql`${ts} >= ${new Date(ctx.now.getTime() - test.within_last_days * 86_400_000).toISOString()}::timestamptz`);
  }
  if (test.between) {
    const [from, to] = test.between.map((d) => new Date(d));
    if (to!.getTime() < from!.getTime()) throw invalid(`${at}.between`, `the end ${test.between[1]} is before the start ${test.between[0]}`);
    // A date without a time means the whole of that day.
    const end = /^\d{4}-\d{2}-\d{2}$/.test(test.between[1]) ? new Date(to!.getTime() + 86_400_000) : new Date(to!.getTime() + 1);
    filters.push(sql`${ts} >= ${from!.toISOString()}::timestamptz and ${ts} < ${end.toISOString()}::timestamptz`);
  }
  (test.where ?? []).forEach((w, i) => {
    if (w.op === 'within_last_days') ctx.timeDependent = true;
    filters.push(compileTest({ kind: 'json', doc: ref(e, 'properties'), path: w.property.split('.') }, w.op, w.value, `${at}.where[${i}]`, ctx.now));
  });
  return filters;
}
