import { AppError } from '../../platform/errors.ts';
import { CLOSED_WON, LEAD_CREATION, OPPORTUNITY_CREATION, PathTableBuilder, type JourneyInput, type PathTable } from './path-table.ts';
import type { Touchpoint } from './touchpoints.ts';

export const DIMENSIONS = ['channel', 'source', 'campaign', 'content'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface EventConversion {
  contactId: string;
  time: number;
  value: number;
}

export interface OpportunityFacts {
  accountId: string;
  amount: number;
  createdMs: number;
  closedMs: number | null;
  won: boolean;
}

export interface JourneySets {
  conversions: PathTable;
  pipeline: PathTable;
  revenue: PathTable;
  /** Conversions / opportunities with no touch in their lookback window. */
  untouched: { conversions: number; opportunities: number; won: number };
  /** The journeys the tables were built from (for breakdowns by period). */
  journeys: { conversions: JourneyInput[]; pipeline: JourneyInput[]; revenue: JourneyInput[] };
}

interface Period {
  fromMs: number;
  toMs: number;
  lookbackMs: number;
}

/**
 * One contact's (or account's) touches in time order, as columns: all that journeys need
 * (the key of the chosen dimension, the time, the lead-creation flag). At 1M contacts, an
 * object per touch kept the collector busy with millions of long-lived objects.
 */
export interface TouchColumns {
  times: Float64Array;
  keys: string[];
  lead: Uint8Array;
}

/** A contact's touches as columns keyed by `dimension` (`intern` shares repeated key strings). */
export function touchColumnsOf(touches: readonly Touchpoint[], dimension: Dimension, intern: (key: string) => string = (k) => k): TouchColumns {
  const n = touches.length;
  const columns: TouchColumns = { times: new Float64Array(n), keys: new Array<string>(n), lead: new Uint8Array(n) };
  for (let i = 0; i < n; i++) {
    const t = touches[i]!;
    columns.times[i] = t.time;
    columns.keys[i] = intern(t[dimension] ?? '(none)');
    columns.lead[i] = t.leadCreation ? 1 : 0;
  }
  return columns;
}

/**
 * The three journey sets of a period, keyed by one dimension of the touches (already in
 * `TouchColumns.keys`): conversions (each declared conversion event: its contact's touches
 * within the lookback), pipeline (each opportunity created in the period: the touches of
 * all its account's contacts within the lookback before creation, the last of them the
 * opportunity-creation touch) and revenue (each won opportunity closed in the period:
 * touches from the lookback before creation up to the close, the last one the closed-won
 * touch). Contacts or accounts with touches in the period and no conversion are the null
 * journeys Markov and Shapley need. Journeys go straight into the columnar path tables;
 * `keepJourneys` also returns them as objects, for the breakdown by period.
 */
export function buildWorkspaceJourneys(touchesByContact: Map<string, TouchColumns>, conversions: EventConversion[], contactsByAccount: Map<string, string[]>, opportunities: OpportunityFacts[], period: Period, keepJourneys = true): JourneySets {
  const untouched = { conversions: 0, opportunities: 0, won: 0 };
  const sets = { conversions: new JourneyWriter(keepJourneys), pipeline: new JourneyWriter(keepJourneys), revenue: new JourneyWriter(keepJourneys) };
  const converted = new Set<string>();
  for (const c of conversions) {
    converted.add(c.contactId);
    const touches = touchesByContact.get(c.contactId) ?? NO_TOUCHES;
    const [lo, hi] = within(touches, c.time - period.lookbackMs, c.time);
    if (lo === hi) untouched.conversions++;
    else sets.conversions.converting(touches, lo, hi, c.time, c.value, NO_MARKS);
  }
  for (const [contactId, touches] of touchesByContact) {
    if (converted.has(contactId)) continue;
    const [lo, hi] = within(touches, period.fromMs - period.lookbackMs, period.toMs - 1);
    if (lo < hi) sets.conversions.null(touches, lo, hi);
  }
  const accountTouches = mergeByAccount(touchesByContact, contactsByAccount);
  const withPipeline = new Set<string>();
  const withRevenue = new Set<string>();
  for (const o of opportunities) {
    const touches = accountTouches.get(o.accountId) ?? NO_TOUCHES;
    if (o.createdMs >= period.fromMs && o.createdMs < period.toMs) {
      withPipeline.add(o.accountId);
      const [lo, hi] = within(touches, o.createdMs - period.lookbackMs, o.createdMs);
      if (lo === hi) untouched.opportunities++;
      else sets.pipeline.converting(touches, lo, hi, o.createdMs, o.amount, [[o.createdMs, OPPORTUNITY_CREATION]]);
    }
    if (o.won && o.closedMs !== null && o.closedMs >= period.fromMs && o.closedMs < period.toMs) {
      withRevenue.add(o.accountId);
      const [lo, hi] = within(touches, o.createdMs - period.lookbackMs, o.closedMs);
      if (lo === hi) untouched.won++;
      else sets.revenue.converting(touches, lo, hi, o.closedMs, o.amount, [[o.createdMs, OPPORTUNITY_CREATION], [o.closedMs, CLOSED_WON]]);
    }
  }
  for (const [accountId, touches] of accountTouches) {
    const [lo, hi] = within(touches, period.fromMs - period.lookbackMs, period.toMs - 1);
    if (lo === hi) continue;
    if (!withPipeline.has(accountId)) sets.pipeline.null(touches, lo, hi);
    if (!withRevenue.has(accountId)) sets.revenue.null(touches, lo, hi);
  }
  return {
    conversions: sets.conversions.table(),
    pipeline: sets.pipeline.table(),
    revenue: sets.revenue.table(),
    untouched,
    journeys: { conversions: sets.conversions.journeys, pipeline: sets.pipeline.journeys, revenue: sets.revenue.journeys },
  };
}

const NO_TOUCHES: TouchColumns = { times: new Float64Array(0), keys: [], lead: new Uint8Array(0) };
const NO_MARKS: Array<[number, number]> = [];

/** Appends journeys (touches [lo, hi) of time-ordered columns) to one path table, and keeps them as objects when asked. */
class JourneyWriter {
  private readonly builder = new PathTableBuilder(true);
  readonly journeys: JourneyInput[] = [];

  constructor(private readonly keep: boolean) {}

  /** A converting journey; each [time, flag] marks the last touch at or before that time. */
  converting(touches: TouchColumns, lo: number, hi: number, conversionTime: number, value: number, marks: Array<[number, number]>): void {
    const milestones: number[] = [];
    for (let i = lo; i < hi; i++) milestones.push(touches.lead[i] ? LEAD_CREATION : 0);
    for (const [at, flag] of marks) {
      let last = -1;
      for (let i = lo; i < hi; i++) if (touches.times[i]! <= at) last = i - lo;
      if (last >= 0) milestones[last]! |= flag;
    }
    this.append(touches, lo, hi, milestones, 1, value, 0, conversionTime);
  }

  null(touches: TouchColumns, lo: number, hi: number): void {
    const milestones: number[] = [];
    for (let i = lo; i < hi; i++) milestones.push(touches.lead[i] ? LEAD_CREATION : 0);
    this.append(touches, lo, hi, milestones, 0, 0, 1, touches.times[hi - 1]!);
  }

  table(): PathTable {
    return this.builder.build();
  }

  private append(touches: TouchColumns, lo: number, hi: number, milestones: number[], conversions: number, value: number, nulls: number, conversionTime: number): void {
    for (let i = lo; i < hi; i++) this.builder.pushTouch(this.builder.internChannel(touches.keys[i]!), touches.times[i]!, milestones[i - lo]);
    this.builder.endPath(conversions, value, nulls, conversionTime);
    if (!this.keep) return;
    this.journeys.push({ channels: touches.keys.slice(lo, hi), conversions, value, nulls, touchTimes: Array.from(touches.times.subarray(lo, hi)), conversionTime, milestones });
  }
}

/** The index range [lo, hi) of the touches with from <= time <= to (times ascending). */
function within(touches: TouchColumns, from: number, to: number): [number, number] {
  const lo = firstIndex(touches.times, (t) => t >= from);
  return [lo, Math.max(lo, firstIndex(touches.times, (t) => t > to))];
}

/** Binary search: the first index whose time satisfies `test` (monotone over the array), or the length. */
function firstIndex(times: Float64Array, test: (time: number) => boolean): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(times[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Each account's contacts' touches in one time order (ties: contact order, then the contact's own order). */
function mergeByAccount(touchesByContact: Map<string, TouchColumns>, contactsByAccount: Map<string, string[]>): Map<string, TouchColumns> {
  const merged = new Map<string, TouchColumns>();
  for (const [accountId, contacts] of contactsByAccount) {
    const parts: TouchColumns[] = [];
    let n = 0;
    for (const c of contacts) {
      const touches = touchesByContact.get(c);
      if (touches && touches.times.length > 0) {
        parts.push(touches);
        n += touches.times.length;
      }
    }
    if (parts.length === 0) continue;
    if (parts.length === 1) {
      merged.set(accountId, parts[0]!);
      continue;
    }
    const times = new Float64Array(n);
    const keys = new Array<string>(n);
    const lead = new Uint8Array(n);
    let at = 0;
    for (const p of parts) {
      times.set(p.times, at);
      lead.set(p.lead, at);
      for (let i = 0; i < p.keys.length; i++) keys[at + i] = p.keys[i]!;
      at += p.times.length;
    }
    // A stable sort by time: the order of the concatenation breaks ties.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a]! - times[b]! || a - b);
    const sorted: TouchColumns = { times: new Float64Array(n), keys: new Array<string>(n), lead: new Uint8Array(n) };
    order.forEach((from, to) => {
      sorted.times[to] = times[from]!;
      sorted.keys[to] = keys[from]!;
      sorted.lead[to] = lead[from]!;
    });
    merged.set(accountId, sorted);
  }
  return merged;
}

export function parseDimension(value: string): Dimension {
  if ((DIMENSIONS as readonly string[]).includes(value)) return value as Dimension;
  throw new AppError('invalid', `dimension must be one of ${DIMENSIONS.join(', ')}; got "${value}"`);
}
