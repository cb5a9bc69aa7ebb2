import { AppError } from '../../platform/errors.ts';
import { buildPathTable, CLOSED_WON, LEAD_CREATION, OPPORTUNITY_CREATION, type JourneyInput, type PathTable } from './path-table.ts';
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
 */
export function buildWorkspaceJourneys(touchesByContact: Map<string, Touchpoint[]>, conversions: EventConversion[], contactsByAccount: Map<string, string[]>, opportunities: OpportunityFacts[], period: Period, dimension: Dimension): JourneySets {
  const key = (t: Touchpoint) => t[dimension] ?? '(none)';
  const untouched = { conversions: 0, opportunities: 0, won: 0 };
  const conversionJourneys: JourneyInput[] = [];
  const converted = new Set<string>();
  for (const c of conversions) {
    converted.add(c.contactId);
    const touches = within(touchesByContact.get(c.contactId) ?? [], c.time - period.lookbackMs, c.time);
    if (touches.length === 0) untouched.conversions++;
    else conversionJourneys.push(journeyOf(touches, key, c.time, c.value, []));
  }
  for (const [contactId, touches] of touchesByContact) {
    if (converted.has(contactId)) continue;
    const inPeriod = within(touches, period.fromMs - period.lookbackMs, period.toMs - 1);
    if (inPeriod.length > 0) conversionJourneys.push(nullJourney(inPeriod, key));
  }
  const accountTouches = mergeByAccount(touchesByContact, contactsByAccount);
  const pipeline: JourneyInput[] = [];
  const revenue: JourneyInput[] = [];
  const withPipeline = new Set<string>();
  const withRevenue = new Set<string>();
  for (const o of opportunities) {
    const touches = accountTouches.get(o.accountId) ?? [];
    if (o.createdMs >= period.fromMs && o.createdMs < period.toMs) {
      withPipeline.add(o.accountId);
      const path = within(touches, o.createdMs - period.lookbackMs, o.createdMs);
      if (path.length === 0) untouched.opportunities++;
      else pipeline.push(journeyOf(path, key, o.createdMs, o.amount, [[o.createdMs, OPPORTUNITY_CREATION]]));
    }
    if (o.won && o.closedMs !== null && o.closedMs >= period.fromMs && o.closedMs < period.toMs) {
      withRevenue.add(o.accountId);
      const path = within(touches, o.createdMs - period.lookbackMs, o.closedMs);
      if (path.length === 0) untouched.won++;
      else revenue.push(journeyOf(path, key, o.closedMs, o.amount, [[o.createdMs, OPPORTUNITY_CREATION], [o.closedMs, CLOSED_WON]]));
    }
  }
  for (const [accountId, touches] of accountTouches) {
    const inPeriod = within(touches, period.fromMs - period.lookbackMs, period.toMs - 1);
    if (inPeriod.length === 0) continue;
    if (!withPipeline.has(accountId)) pipeline.push(nullJourney(inPeriod, key));
    if (!withRevenue.has(accountId)) revenue.push(nullJourney(inPeriod, key));
  }
  const detailed = { detailed: true };
  return {
    conversions: buildPathTable(conversionJourneys, detailed),
    pipeline: buildPathTable(pipeline, detailed),
    revenue: buildPathTable(revenue, detailed),
    untouched,
    journeys: { conversions: conversionJourneys, pipeline, revenue },
  };
}

/** Touches with from <= time <= to (touches are in time order). */
function within(touches: Touchpoint[], from: number, to: number): Touchpoint[] {
  return touches.filter((t) => t.time >= from && t.time <= to);
}

/** A converting journey; each [time, flag] marks the last touch at or before that time. */
function journeyOf(touches: Touchpoint[], key: (t: Touchpoint) => string, conversionTime: number, value: number, marks: Array<[number, number]>): JourneyInput {
  const milestones = touches.map((t) => (t.leadCreation ? LEAD_CREATION : 0));
  for (const [at, flag] of marks) {
    let last = -1;
    touches.forEach((t, i) => {
      if (t.time <= at) last = i;
    });
    if (last >= 0) milestones[last]! |= flag;
  }
  return { channels: touches.map(key), conversions: 1, value, nulls: 0, touchTimes: touches.map((t) => t.time), conversionTime, milestones };
}

function nullJourney(touches: Touchpoint[], key: (t: Touchpoint) => string): JourneyInput {
  const last = touches[touches.length - 1]!.time;
  return { channels: touches.map(key), conversions: 0, value: 0, nulls: 1, touchTimes: touches.map((t) => t.time), conversionTime: last, milestones: touches.map((t) => (t.leadCreation ? LEAD_CREATION : 0)) };
}

function mergeByAccount(touchesByContact: Map<string, Touchpoint[]>, contactsByAccount: Map<string, string[]>): Map<string, Touchpoint[]> {
  const merged = new Map<string, Touchpoint[]>();
  for (const [accountId, contacts] of contactsByAccount) {
    const all = contacts.flatMap((c) => touchesByContact.get(c) ?? []);
    if (all.length > 0) merged.set(accountId, all.sort((a, b) => a.time - b.time));
  }
  return merged;
}

export function parseDimension(value: string): Dimension {
  if ((DIMENSIONS as readonly string[]).includes(value)) return value as Dimension;
  throw new AppError('invalid', `dimension must be one of ${DIMENSIONS.join(', ')}; got "${value}"`);
}
