import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { checkEventAgainstPlan, compileTrackingPlan, type CompiledPlan, type Finding, type PlanEvent } from './plan-compiler.ts';
import * as q from './tracking-plan.queries.ts';
import type { TrackingPlan } from './tracking-plan.schema.ts';

/** An event the plan refuses: ingest moves it to rejected_events with this reason. */
export interface BlockedEvent {
  index: number;
  field: string | null;
  reason: string;
}

export interface PlanCheckOutcome {
  /** Events (by index in the input) that a `block` rule refuses. */
  blocked: BlockedEvent[];
  /** Events of a type the plan covers (track when it lists events, identify/group when it declares their traits). */
  checked: number;
  violations: number;
}

// Compiled plans per workspace. The key is the version read from the database on every
// chunk, so a plan applied by another process is picked up at the next chunk; this cache
// only saves the compile. It holds derived, immutable data and is bounded, which is why a
// module-level map is acceptable here.
const compiled = new Map<string, CompiledPlan>();
const MAX_CACHED = 1000;

/** Drops a workspace's compiled plan (called when a new version is applied). */
export function forgetCompiledPlan(workspaceId: string): void {
  compiled.delete(workspaceId);
}

async function loadCompiledPlan(db: Kysely<Database>, workspaceId: string): Promise<CompiledPlan | undefined> {
  const version = await q.selectCurrentVersion(db, workspaceId);
  if (version === undefined) return undefined;
  const cached = compiled.get(workspaceId);
  if (cached?.version === version) return cached;
  const row = await q.selectPlanVersion(db, workspaceId, version);
  if (!row) return undefined;
  const plan = compileTrackingPlan(row.plan as TrackingPlan, version);
  if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value!);
  compiled.set(workspaceId, plan);
  return plan;
}

/**
 * The ingest processor's hook: checks a chunk of events against the workspace's tracking
 * plan, records violations (flag, block), counts (count, flag, block) and unknown events,
 * properties and traits, in the caller's transaction, and returns the events to refuse.
 * With no plan applied it reads one row and returns nothing to refuse.
 */
export async function checkEventsAgainstTrackingPlan(db: Kysely<Database>, workspaceId: string, events: readonly PlanEvent[]): Promise<PlanCheckOutcome> {
  const outcome: PlanCheckOutcome = { blocked: [], checked: 0, violations: 0 };
  if (events.length === 0) return outcome;
  const plan = await loadCompiledPlan(db, workspaceId);
  if (!plan) return outcome;
  const tally = new ChunkTally(plan.version);
  events.forEach((event, index) => {
    const findings = checkEventAgainstPlan(plan, event);
    if (findings === null) return;
    outcome.checked += 1;
    tally.addEvent(event, findings);
    const block = findings.find((f) => f.action === 'block');
    if (block) outcome.blocked.push({ index, field: block.field, reason: `blocked by tracking plan v${plan.version}: ${block.reason}` });
  });
  outcome.violations = tally.violations.length;
  await tally.write(db, workspaceId);
  return outcome;
}

/** What one chunk adds to the violation, count, daily and unknown tables. */
class ChunkTally {
  readonly violations: q.ViolationInsert[] = [];
  readonly #counts = new Map<string, q.CountDelta>();
  readonly #daily = new Map<string, q.DailyDelta>();
  readonly #unknowns = new Map<string, q.UnknownDelta>();
  readonly #version: number;

  constructor(version: number) {
    this.#version = version;
  }

  addEvent(event: PlanEvent, findings: Finding[]): void {
    const day = event.timestamp.slice(0, 10);
    const daily = this.#daily.get(day) ?? { day, checked: 0, violating: 0, blocked: 0 };
    daily.checked += 1;
    if (findings.some((f) => f.action !== 'allow')) daily.violating += 1;
    if (findings.some((f) => f.action === 'block')) daily.blocked += 1;
    this.#daily.set(day, daily);
    for (const finding of findings) {
      this.#noteUnknown(event, finding);
      if (finding.action === 'allow') continue;
      const key = `${day}\u0001${finding.rule}\u0001${finding.subject}\u0001${finding.action}`;
      const count = this.#counts.get(key) ?? { day, rule: finding.rule, subject: finding.subject, action: finding.action, violations: 0 };
      count.violations += 1;
      this.#counts.set(key, count);
      if (finding.action === 'count') continue;
      this.violations.push({
        plan_version: this.#version,
        message_id: event.messageId,
        event_type: event.type,
        event_name: event.name,
        event_timestamp: event.timestamp,
        rule: finding.rule,
        subject: finding.subject,
        field: finding.field,
        value: finding.value,
        reason: finding.reason,
        action: finding.action,
      });
    }
  }

  /** Unknowns are listed whatever the rule's action: the plan never hides them. */
  #noteUnknown(event: PlanEvent, finding: Finding): void {
    const kind = finding.rule === 'unknown_event' ? 'event' : finding.rule === 'unknown_property' ? 'property' : finding.rule === 'unknown_trait' ? 'trait' : undefined;
    if (!kind) return;
    const name = kind === 'event' ? finding.subject : `${finding.subject}.${finding.field!.replace(/^(properties|traits)\./, '')}`;
    const key = `${kind}\u0001${name}`;
    const entry = this.#unknowns.get(key);
    if (!entry) {
      this.#unknowns.set(key, { kind, name, seen: 1, first_seen_at: event.timestamp, last_seen_at: event.timestamp, example_message_id: event.messageId, example_value: finding.value });
      return;
    }
    entry.seen += 1;
    if (event.timestamp < entry.first_seen_at) entry.first_seen_at = event.timestamp;
    if (event.timestamp >= entry.last_seen_at) Object.assign(entry, { last_seen_at: event.timestamp, example_message_id: event.messageId, example_value: finding.value });
  }

  async write(db: Kysely<Database>, workspaceId: string): Promise<void> {
    await q.insertChunkFindings(db, workspaceId, {
      daily: [...this.#daily.values()],
      counts: [...this.#counts.values()],
      violations: this.violations,
      unknowns: [...this.#unknowns.values()],
    });
  }
}
