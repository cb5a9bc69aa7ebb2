import { AppError } from '../../platform/errors.ts';
import { describeDemoAccount } from './demo-accounts.ts';
import type { DemoEvent } from './demo-event-sink.ts';
import { generateAccountStory } from './demo-journeys.ts';
import type { DemoOpportunity } from './demo-opportunities.ts';

export interface DemoOptions {
  /** An integer from 0 to 2^32 - 1; the same seed and anchor give exactly the same data. Default 1. */
  seed?: number | undefined;
  /** 1 is about 2,000 accounts, 20,000 known contacts and 500,000 events; fractions work; at most 50. */
  scale?: number | undefined;
  /** The data covers the 180 days up to this moment. Default: now. */
  anchor?: Date | undefined;
}

export interface DemoBatch {
  events: DemoEvent[];
  /** Deals whose account's group call is in this batch or an earlier one. */
  opportunities: DemoOpportunity[];
  /** Accounts whose events are all in this batch or earlier ones. */
  accountsDone: number;
}

export const MAX_SCALE = 50;
export const ACCOUNTS_PER_SCALE = 2000;
// Measured: the mean number of events one account generates (see demo.test.ts).
export const EVENTS_PER_ACCOUNT = 250;
export const DEFAULT_BATCH_SIZE = 1000;

export interface ResolvedDemoOptions {
  seed: number;
  scale: number;
  anchorMs: number;
  accounts: number;
  estimatedEvents: number;
}

/** Validates options and fills in defaults; throws `invalid` naming the option at fault. */
export function resolveDemoOptions(options: DemoOptions = {}): ResolvedDemoOptions {
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new AppError('invalid', `seed must be an integer from 0 to 4294967295, got ${String(seed)}`, { field: 'seed' });
  }
  const scale = options.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale) || scale <= 0 || scale > MAX_SCALE) {
    throw new AppError('invalid', `scale must be a number above 0 and at most ${MAX_SCALE}, got ${String(scale)}`, { field: 'scale' });
  }
  const anchor = options.anchor ?? new Date();
  if (!(anchor instanceof Date) || Number.isNaN(anchor.getTime())) {
    throw new AppError('invalid', `anchor must be a valid Date, got ${String(anchor)}`, { field: 'anchor' });
  }
  const accounts = demoAccountCount(scale);
  return { seed, scale, anchorMs: anchor.getTime(), accounts, estimatedEvents: accounts * EVENTS_PER_ACCOUNT };
}

export function demoAccountCount(scale: number): number {
  return Math.max(1, Math.round(ACCOUNTS_PER_SCALE * scale));
}

/**
 * Streams the demo company's marketing data as Segment events in batches of `batchSize`
 * (default 1,000), one account after another: only one account's story is in memory at a
 * time, so memory stays flat at any scale. Pure: the same options give the same batches.
 *
 * @example
 * for (const batch of generateDemoEvents({ seed: 7, scale: 0.01, anchor: new Date('2025-01-01') })) {
 *   await acceptEvents(db, workspaceId, { events: batch.events, receivedAt: new Date() });
 * }
 */
export function* generateDemoEvents(options: DemoOptions & { batchSize?: number | undefined } = {}): Generator<DemoBatch> {
  const { seed, anchorMs, accounts } = resolveDemoOptions(options);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new AppError('invalid', `batchSize must be a positive integer, got ${String(batchSize)}`, { field: 'batchSize' });
  }
  let events: DemoEvent[] = [];
  let opportunities: DemoOpportunity[] = [];
  for (let index = 0; index < accounts; index += 1) {
    const story = generateAccountStory(seed, describeDemoAccount(seed, index), anchorMs);
    for (const event of story.events) {
      events.push(event);
      if (events.length === batchSize) {
        yield { events, opportunities, accountsDone: index };
        events = [];
        opportunities = [];
      }
    }
    // Added only once the account's group calls are out, so that the loader can find it.
    opportunities.push(...story.opportunities);
  }
  if (events.length > 0 || opportunities.length > 0) yield { events, opportunities, accountsDone: accounts };
}

/**
 * Event batches only, for benchmarks: `batchSize` events each (default 100, the size of a
 * typical SDK flush), stopping after `maxEvents` when given (up to ~25 million).
 */
export function* demoEventBatches(options: DemoOptions & { batchSize?: number | undefined; maxEvents?: number | undefined } = {}): Generator<DemoEvent[]> {
  const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
  if (maxEvents !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxEvents) || maxEvents < 0)) {
    throw new AppError('invalid', `maxEvents must be a non-negative integer, got ${String(maxEvents)}`, { field: 'maxEvents' });
  }
  if (maxEvents === 0) return;
  // Accounts do not depend on the scale, only on (seed, index): a larger scale is the same
  // stream, longer. So without a scale, take the largest and stop at maxEvents.
  const scale = options.scale ?? (options.maxEvents === undefined ? 1 : MAX_SCALE);
  let remaining = maxEvents;
  for (const batch of generateDemoEvents({ ...options, scale, batchSize: options.batchSize ?? 100 })) {
    if (batch.events.length === 0) continue;
    const events = batch.events.length > remaining ? batch.events.slice(0, remaining) : batch.events;
    yield events;
    remaining -= events.length;
    if (remaining <= 0) return;
  }
}
