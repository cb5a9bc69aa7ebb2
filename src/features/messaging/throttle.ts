import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { selectNthNewestJourneySend } from './messages.queries.ts';
import type { JourneyRef } from './send-request.ts';

const HOUR = 3_600_000;

/**
 * Throttling: at most `maxPerHour` messages of a journey (all its versions, every kind) in
 * any rolling hour. Returns when the next one may go, or null when it may go now.
 */
export function evaluateThrottle(sentTimes: readonly Date[], maxPerHour: number, now: Date): Date | null {
  const since = now.getTime() - HOUR;
  const inWindow = sentTimes.map((d) => d.getTime()).filter((t) => t > since && t <= now.getTime()).sort((a, b) => a - b);
  if (inWindow.length < maxPerHour) return null;
  return new Date(inWindow[inWindow.length - maxPerHour]! + HOUR);
}

/** The same rule in one indexed query: the maxPerHour-th newest send of the hour decides. */
export async function checkThrottle(db: Kysely<Database>, workspaceId: string, journey: JourneyRef | undefined, now: Date): Promise<Date | null> {
  if (!journey?.maxPerHour) return null;
  const nth = await selectNthNewestJourneySend(db, workspaceId, journey.id, new Date(now.getTime() - HOUR), now, journey.maxPerHour);
  return nth ? new Date(nth.getTime() + HOUR) : null;
}
