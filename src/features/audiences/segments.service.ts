import type { Kysely } from 'kysely';
import type { Database, SegmentSubject } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { readsOf, segmentChange, type PassScope } from './change-sets.ts';
import { compileCondition, joinAll, newCompileContext, type CompileContext } from './conditions.queries.ts';
import { parseSegmentDefinition, type SegmentDefinition } from './segment-definition.ts';
import { dependentsOf, orderByDependencies } from './segment-graph.ts';
import * as q from './segments.queries.ts';
import { selectModelIds } from './scoring.queries.ts';

export type SegmentRow = Awaited<ReturnType<typeof q.selectSegments>>[number];
export type { MembershipChange, MemberRow } from './segments.queries.ts';

/** Names of segments and scoring models a definition may refer to. */
export async function loadCompileContext(db: Kysely<Database>, workspaceId: string, now: Date, extra?: { name: string; subject: SegmentSubject }): Promise<CompileContext> {
  const segments = segmentRefsOf(await q.selectSegments(db, workspaceId));
  // A segment being created may not refer to itself: a placeholder lets the cycle check say so.
  if (extra && !segments.has(extra.name)) segments.set(extra.name, { id: '00000000-0000-0000-0000-000000000000', subject: extra.subject });
  return newCompileContext({ workspaceId, now, segments, models: await selectModelIds(db, workspaceId) });
}

/**
 * The compile context from segments and models already read (a derivation pass reads
 * them once for scores, stages and segments).
 */
export function compileContextOf(workspaceId: string, now: Date, rules: { segments: readonly SegmentRow[]; models: ReadonlyArray<{ id: string; name: string }> }): CompileContext {
  return newCompileContext({ workspaceId, now, segments: segmentRefsOf(rules.segments), models: new Map(rules.models.map((m) => [m.name, m.id])) });
}

const segmentRefsOf = (rows: readonly SegmentRow[]) => new Map(rows.map((s) => [s.name, { id: s.id, subject: s.subject }]));

/** The SQL predicate of a dynamic segment over the row alias `x`. */
export function compileSegmentPredicate(definition: SegmentDefinition, ctx: CompileContext, scope?: readonly string[]) {
  const on = { subject: definition.subject ?? 'contact', alias: q.SUBJECT_ALIAS, scope };
  const parts = (definition.rules ?? []).map((rule, i) => compileCondition(rule, on, ctx, `rules[${i}]`));
  return joinAll(parts, definition.match === 'any' ? 'or' : 'and');
}

/** The one SQL query Keel runs for a definition's members (for benchmarks and debugging). */
export async function compileSegmentQuery(db: Kysely<Database>, workspaceId: string, input: unknown, now = new Date()) {
  const definition = parseSegmentDefinition(input);
  const ctx = await loadCompileContext(db, workspaceId, now);
  return q.selectMemberIdsQuery(workspaceId, definition.subject ?? 'contact', compileSegmentPredicate(definition, ctx));
}

export interface SegmentPreview {
  subject: SegmentSubject;
  count: number;
  sample: q.MemberRow[];
}

/** Count and sample of a definition's members, without saving it. */
export async function previewSegment(db: Kysely<Database>, workspaceId: string, input: unknown, options: { now?: Date; sampleSize?: number } = {}): Promise<SegmentPreview> {
  const definition = parseSegmentDefinition(input);
  const subject = definition.subject ?? 'contact';
  const ctx = await loadCompileContext(db, workspaceId, options.now ?? new Date(), { name: definition.name, subject });
  if ((definition.type ?? 'dynamic') === 'static') {
    const preview = await q.previewPredicate(db, workspaceId, subject, q.idListPredicate(definition.members ?? []), options.sampleSize ?? 20);
    return { subject, ...preview };
  }
  const predicate = compileSegmentPredicate(definition, ctx);
  if (ctx.usedSegments.has(definition.name)) throw new AppError('invalid', `segment ${JSON.stringify(definition.name)} refers to itself`);
  return { subject, ...(await q.previewPredicate(db, workspaceId, subject, predicate, options.sampleSize ?? 20)) };
}

export interface AppliedSegment {
  segment: SegmentRow;
  created: boolean;
  change: q.MembershipChange;
}

/**
 * Creates or replaces a segment from its definition (YAML text or an object), computes
 * its members at once, and records the change in the audit log. Segments that read it
 * are recomputed too.
 */
export async function applySegment(db: Kysely<Database>, workspaceId: string, input: unknown, actor: AuditActor, now = new Date()): Promise<AppliedSegment> {
  const definition = parseSegmentDefinition(input);
  const subject = definition.subject ?? 'contact';
  const type = definition.type ?? 'dynamic';
  return db.transaction().execute(async (trx) => {
    const existing = await q.selectSegmentByName(trx, workspaceId, definition.name);
    if (existing && (existing.subject !== subject || existing.type !== type)) {
      throw new AppError('conflict', `segment ${JSON.stringify(definition.name)} is a ${existing.type} ${existing.subject} segment; delete it first to make it a ${type} ${subject} segment`);
    }
    const ctx = await loadCompileContext(trx, workspaceId, now, { name: definition.name, subject });
    if (type === 'dynamic') compileSegmentPredicate(definition, ctx);
    const dependsOn = [...ctx.usedSegments];
    const all = await q.selectSegments(trx, workspaceId);
    orderByDependencies([...all.filter((s) => s.name !== definition.name), { name: definition.name, depends_on: dependsOn }]);
    const segment = await q.upsertSegment(trx, workspaceId, {
      name: definition.name,
      subject,
      type,
      description: definition.description ?? null,
      definition: definition as Record<string, unknown>,
      dependsOn,
      timeDependent: ctx.timeDependent,
    });
    await recordAudit(trx, { workspaceId, actor, action: existing ? 'segment.updated' : 'segment.created', objectType: 'segment', objectId: segment.id, details: { name: segment.name, definition } });
    let change: q.MembershipChange;
    if (type === 'static') {
      const keep = new Set(definition.members ?? []);
      const current = await q.selectMembers(trx, workspaceId, segment.id, subject, 1_000_000);
      change = await q.changeStaticMembers(trx, { workspaceId, segmentId: segment.id, subject, add: [...keep], remove: current.map((m) => m.id).filter((id) => !keep.has(id)), now });
    } else {
      await q.allowLargeHashes(trx);
      change = await recomputeOneSegment(trx, workspaceId, segment, now);
    }
    await recomputeSegments(trx, workspaceId, { now, only: dependentsOf(await q.selectSegments(trx, workspaceId), segment.name) });
    return { segment, created: !existing, change };
  });
}

async function recomputeOneSegment(db: Kysely<Database>, workspaceId: string, segment: SegmentRow, now: Date, scope?: readonly string[]): Promise<q.MembershipChange> {
  if (segment.type === 'static') return { entered: 0, exited: 0 };
  const ctx = await loadCompileContext(db, workspaceId, now);
  // Fresh statistics of segment_members before a full pass over it (see recomputeSegments).
  if (!scope) await q.analyzeMemberships(db);
  const predicate = compileSegmentPredicate(segment.definition as SegmentDefinition, ctx, scope);
  const change = await q.syncMembership(db, { workspaceId, segmentId: segment.id, subject: segment.subject, predicate, scope, now });
  if (!scope) await q.markSegmentComputed(db, workspaceId, segment.id, now);
  return change;
}

/**
 * Recomputes dynamic segments in dependency order: all rows, or in an incremental pass
 * each segment for the contacts or accounts whose changes it reads. `only` limits it to
 * some segments; `timeDependentOnly` to those whose rules read the clock.
 */
export async function recomputeSegments(
  db: Kysely<Database>,
  workspaceId: string,
  options: { now?: Date; pass?: PassScope; only?: ReadonlySet<string>; timeDependentOnly?: boolean; rules?: { segments: SegmentRow[]; models: Array<{ id: string; name: string }> } } = {},
): Promise<Record<string, q.MembershipChange>> {
  // The full path sets its memory for the transaction (allowLargeHashes): it needs one.
  if (!options.pass && !db.isTransaction) return db.transaction().execute((trx) => recomputeSegments(trx, workspaceId, options));
  const now = options.now ?? new Date();
  if (!options.pass) await q.allowLargeHashes(db);
  const all = orderByDependencies(options.rules?.segments ?? (await q.selectSegments(db, workspaceId)));
  const ctx = options.rules ? compileContextOf(workspaceId, now, options.rules) : await loadCompileContext(db, workspaceId, now);
  const segments = all.filter((s) => s.type === 'dynamic' && (!options.only || options.only.has(s.name)));
  if (options.pass) return syncScopedSegments(db, workspaceId, segments, ctx, options.pass, now);
  const changes: Record<string, q.MembershipChange> = {};
  const changed = new Set<string>();
  let stale = true;
  let analyzed = false;
  for (const segment of segments) {
    // A clock-free segment only changes when something it reads changed.
    if (options.timeDependentOnly && !segment.time_dependent && !segment.depends_on.some((d) => changed.has(d))) continue;
    // Fresh statistics on the memberships a segment reads: without them the planner may
    // take a segment filled a moment ago for an empty one and loop where it should hash
    // (first compute of "b16" of the bench at 20k contacts: 34.8 s before, 0.23 s after).
    // And once before the first segment, whose read of its own members needs them too: on
    // counts taken while the table was small the planner reads a segment's members
    // through the member index, every membership of the workspace (b07 of the bench at 1M:
    // 6 s instead of 1.4 s).
    if ((segment.depends_on.length > 0 || !analyzed) && stale) {
      await q.analyzeMemberships(db);
      stale = false;
      analyzed = true;
    }
    const predicate = compileSegmentPredicate(segment.definition as SegmentDefinition, { ...ctx, usedSegments: new Set(), aliases: 0 });
    const change = await q.syncMembership(db, { workspaceId, segmentId: segment.id, subject: segment.subject, predicate, now });
    await q.markSegmentComputed(db, workspaceId, segment.id, now);
    if (change.entered + change.exited > 0) {
      changed.add(segment.name);
      stale = true;
    }
    changes[segment.name] = change;
  }
  return changes;
}

/**
 * The incremental path: each segment evaluated for the ids whose changes it reads, in as
 * few statements as the dependencies allow: due segments go into one statement per
 * subject until one reads a segment of that batch, which must be written first. A segment
 * it reads that is not due did not change, so it does not split the batch.
 */
async function syncScopedSegments(db: Kysely<Database>, workspaceId: string, ordered: SegmentRow[], ctx: CompileContext, pass: PassScope, now: Date) {
  const changes: Record<string, q.MembershipChange> = Object.fromEntries(ordered.map((s) => [s.name, { entered: 0, exited: 0 }]));
  let batch: Array<{ segment: SegmentRow; ids: string[] }> = [];
  const flush = async () => {
    for (const subject of ['contact', 'account'] as const) {
      const due = batch.filter((d) => d.segment.subject === subject);
      if (due.length === 0) continue;
      const scope = [...new Set(due.flatMap((d) => d.ids))];
      const compiled = due.map((d) => ({ id: d.segment.id, ids: d.ids, predicate: compileSegmentPredicate(d.segment.definition as SegmentDefinition, { ...ctx, usedSegments: new Set(), aliases: 0 }, scope) }));
      const result = await q.syncMembershipsInScope(db, { workspaceId, subject, segments: compiled, scope, now });
      for (const d of due) {
        changes[d.segment.name] = result.get(d.segment.id)!;
        if (subject === 'contact') pass.contactsChanged(d.ids, segmentChange(d.segment.name));
        else pass.accountsChanged(d.ids, segmentChange(d.segment.name));
      }
    }
    batch = [];
  };
  for (const segment of ordered) {
    if (segment.depends_on.some((name) => batch.some((d) => d.segment.name === name))) await flush();
    const reads = readsOf({ all: (segment.definition as SegmentDefinition).rules ?? [] });
    const ids = segment.subject === 'contact' ? pass.contactsDue(reads) : pass.accountsDue(reads);
    if (ids.length > 0) batch.push({ segment, ids });
  }
  await flush();
  return changes;
}

export async function getSegment(db: Kysely<Database>, workspaceId: string, name: string): Promise<SegmentRow & { members: number }> {
  const segment = await q.selectSegmentByName(db, workspaceId, name);
  if (!segment) throw new AppError('not_found', `No segment named ${JSON.stringify(name)} in this workspace`);
  return { ...segment, members: await q.countMembers(db, workspaceId, segment.id) };
}

export async function listSegments(db: Kysely<Database>, workspaceId: string) {
  const rows = await q.selectSegments(db, workspaceId);
  return Promise.all(rows.map(async (s) => ({ ...s, members: await q.countMembers(db, workspaceId, s.id) })));
}

export async function listSegmentMembers(db: Kysely<Database>, workspaceId: string, name: string, options: { limit: number; after?: string }) {
  const segment = await getSegment(db, workspaceId, name);
  return { segment, members: await q.selectMembers(db, workspaceId, segment.id, segment.subject, options.limit, options.after) };
}

export async function deleteSegment(db: Kysely<Database>, workspaceId: string, name: string, actor: AuditActor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const segment = await getSegment(trx, workspaceId, name);
    const readers = (await q.selectSegments(trx, workspaceId)).filter((s) => s.depends_on.includes(name)).map((s) => s.name);
    if (readers.length > 0) throw new AppError('conflict', `segment ${JSON.stringify(name)} is read by ${readers.map((r) => JSON.stringify(r)).join(', ')}; change those first`);
    await q.deleteSegmentRow(trx, workspaceId, segment.id);
    await recordAudit(trx, { workspaceId, actor, action: 'segment.deleted', objectType: 'segment', objectId: segment.id, details: { name } });
  });
}

/** Hand-picks members in or out of a static list (ids of contacts or accounts). */
export async function changeStaticSegmentMembers(db: Kysely<Database>, workspaceId: string, name: string, change: { add?: string[]; remove?: string[] }, actor: AuditActor) {
  return db.transaction().execute(async (trx) => {
    const segment = await getSegment(trx, workspaceId, name);
    if (segment.type !== 'static') throw new AppError('invalid', `segment ${JSON.stringify(name)} is dynamic: its members follow its rules`);
    const result = await q.changeStaticMembers(trx, { workspaceId, segmentId: segment.id, subject: segment.subject, add: change.add ?? [], remove: change.remove ?? [], now: new Date() });
    await recordAudit(trx, { workspaceId, actor, action: 'segment.members_changed', objectType: 'segment', objectId: segment.id, details: { name, added: change.add?.length ?? 0, removed: change.remove?.length ?? 0 } });
    return result;
  });
}

export const listMembershipHistory = q.selectMembershipHistory;
/** Every segment of the workspace as stored (definitions, dependencies). */
export const listSegmentRows = q.selectSegments;
export const listSegmentsOfMember = q.selectSegmentIdsOfMember;
export const listMembershipChangesAfter = q.selectMembershipChangesAfter;
export const getLastMembershipChangeId = q.selectLastMembershipChangeId;
export const isSegmentMember = q.isSegmentMember;
