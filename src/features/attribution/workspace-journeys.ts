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
 * The three journey sets of a period, keyed by one dimension of the touches:
 * conversions (each declared conversion event: its contact's touches within the lookback),
 * pipeline (each opportunity created in the period: the touches of all its account's
 * contacts within the lookback before creation, the last of them the opportunity-creation
 * touch) and revenue (each won opportunity closed in the period: touches from the lookback
 * before creation up to the close, the last one the closed-won touch). Contacts or accounts
 * with touches in the period and no conversion are the null journeys Markov and Shapley need.
 * Journeys go straight into the columnar path tables (at 1M contacts, one object per journey
 * was most of the garbage); `keepJourneys` also returns them as objects, for the breakdown by
 * period.
 */
export function buildWorkspaceJourneys(touchesByContact: Map<string, Touchpoint[]>, conversions: EventConversion[], contactsByAccount: Map<string, string[]>, opportunities: OpportunityFacts[], period: Period, dimension: Dimension, keepJourneys = true): JourneySets {
  const key = (t: Touchpoint) => t[dimension] ?? '(none)';
  const untouched = { conversions: 0, opportunities: 0, won: 0 };
  const sets = { conversions: new JourneyWriter(key, keepJourneys), pipeline: new JourneyWriter(key, keepJourneys), revenue: new JourneyWriter(key, keepJourneys) };
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

const NO_TOUCHES: Touchpoint[] = [];
const NO_MARKS: Array<[number, number]> = [];

/** Appends journeys (touches[lo, hi) of a time-ordered list) to one path table, and keeps them as objects when asked. */
class JourneyWriter {
  private readonly builder = new PathTableBuilder(true);
  readonly journeys: JourneyInput[] = [];

  constructor(
    private readonly key: (t: Touchpoint) => string,
    private readonly keep: boolean,
  ) {}

  /** A converting journey; each [time, flag] marks the last touch at or before that time. */
  converting(touches: Touchpoint[], lo: number, hi: number, conversionTime: number, value: number, marks: Array<[number, number]>): void {
    const milestones: number[] = [];
    for (let i = lo; i < hi; i++) milestones.push(touches[i]!.leadCreation ? LEAD_CREATION : 0);
    for (const [at, flag] of marks) {
      let last = -1;
      for (let i = lo; i < hi; i++) if (touches[i]!.time <= at) last = i - lo;
      if (last >= 0) milestones[last]! |= flag;
    }
    this.append(touches, lo, hi, milestones, 1, value, 0, conversionTime);
  }

  null(touches: Touchpoint[], lo: number, hi: number): void {
    const milestones: number[] = [];
    for (let i = lo; i < hi; i++) milestones.push(touches[i]!.leadCreation ? LEAD_CREATION : 0);
    this.append(touches, lo, hi, milestones, 0, 0, 1, touches[hi - 1]!.time);
  }

  table(): PathTable {
    return this.builder.build();
  }

  private append(touches: Touchpoint[], lo: number, hi: number, milestones: number[], conversions: number, value: number, nulls: number, conversionTime: number): void {
    for (let i = lo; i < hi; i++) this.builder.pushTouch(this.builder.internChannel(this.key(touches[i]!)), touches[i]!.time, milestones[i - lo]);
    this.builder.endPath(conversions, value, nulls, conversionTime);
    if (!this.keep) return;
    const slice = touches.slice(lo, hi);
    this.journeys.push({ channels: slice.map(this.key), conversions, value, nulls, touchTimes: slice.map((t) => t.time), conversionTime, milestones });
  }
}

/** The index range [lo, hi) of the touches with from <= time <= to (touches are in time order). */
function within(touches: Touchpoint[], from: number, to: number): [number, number] {
  const lo = firstIndex(touches, (t) => t.time >= from);
  return [lo, Math.max(lo, firstIndex(touches, (t) => t.time > to))];
}

/** Binary search: the first index whose touch satisfies `test` (monotone over the list), or the length. */
function firstIndex(touches: Touchpoint[], test: (t: Touchpoint) => boolean): number {
  let lo = 0;
  let hi = touches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(touches[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function mergeByAccount(touchesByContact: Map<string, Touchpoint[]>, contactsByAccount: Map<string, string[]>): Map<string, Touchpoint[]> {
  const merged = new Map<string, Touchpoint[]>();
  for (const [accountId, contacts] of contactsByAccount) {
    if (contacts.length === 1) {
      // One contact: its touches are already in time order.
      const only = touchesByContact.get(contacts[0]!);
      if (only && only.length > 0) merged.set(accountId, only);
      continue;
    }
    const all = contacts.flatMap((c) => touchesByContact.get(c) ?? []);
    if (all.length > 0) merged.set(accountId, all.sort((a, b) => a.time - b.time));
  }
  return merged;
}

export function parseDimension(value: string): Dimension {
  if ((DIMENSIONS as readonly string[]).includes(value)) return value as Dimension;
  throw new AppError('invalid', `dimension must be one of ${DIMENSIONS.join(', ')}; got "${value}"`);
}
