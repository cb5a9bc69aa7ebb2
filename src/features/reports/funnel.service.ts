import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { getLifecycleOrder, getSegment, streamFirstStageEntries } from '../audiences/index.ts';
import { CohortBuilder, type Cohort } from './cohorts.ts';
import { FunnelBuilder, type FunnelStage } from './funnel.ts';

export interface FunnelQuery {
  /** Inclusive; default: the beginning. */
  from?: Date | undefined;
  /** Exclusive; default: now. */
  to?: Date | undefined;
  /** Only this segment's contacts (an account segment: its accounts' contacts). */
  segment?: string | undefined;
}

export interface FunnelReport {
  from: string;
  to: string;
  segment: string | null;
  /** Contacts that reached any stage in the range. */
  contacts: number;
  stages: FunnelStage[];
}

export interface CohortReport {
  from: string;
  to: string;
  segment: string | null;
  entry_stage: string;
  cohorts: Cohort[];
}

interface Scope {
  from: Date;
  to: Date;
  order: string[];
  segmentId: string | undefined;
}

async function resolveScope(db: Kysely<Database>, workspaceId: string, query: FunnelQuery): Promise<Scope> {
  const from = query.from ?? new Date(0);
  const to = query.to ?? new Date();
  const show = (d: Date) => (Number.isNaN(d.getTime()) ? 'an invalid date' : d.toISOString());
  if (!(from.getTime() < to.getTime())) throw new AppError('invalid', `from must be before to, got from=${show(from)} to=${show(to)}`, { field: 'from' });
  const segmentId = query.segment ? (await getSegment(db, workspaceId, query.segment)).id : undefined;
  return { from, to, order: await getLifecycleOrder(db, workspaceId), segmentId };
}

/**
 * The lifecycle funnel of a range: per stage, contacts that reached it, the share that went
 * on to the next stage, and the days they spent in it (median, p75, p90). Stage order is
 * the workspace's stage rules' order; history comes from the stage changes recorded.
 */
export async function reportFunnel(db: Kysely<Database>, workspaceId: string, query: FunnelQuery = {}): Promise<FunnelReport> {
  const scope = await resolveScope(db, workspaceId, query);
  const builder = new FunnelBuilder(scope.order, { fromMs: scope.from.getTime(), toMs: scope.to.getTime() });
  for await (const contact of streamFirstStageEntries(db, workspaceId, { segmentId: scope.segmentId })) builder.add(contact.firstEntered);
  return { from: scope.from.toISOString(), to: scope.to.toISOString(), segment: query.segment ?? null, contacts: builder.contacts, stages: builder.result() };
}

/**
 * Cohorts by month of entry: contacts grouped by the month (in the range) they reached the
 * entry stage (default lead), and for each later stage the share of the cohort that has
 * reached it by now and how many days it took.
 */
export async function reportCohorts(db: Kysely<Database>, workspaceId: string, query: FunnelQuery & { entryStage?: string | undefined } = {}): Promise<CohortReport> {
  const scope = await resolveScope(db, workspaceId, query);
  const entry = query.entryStage ?? (scope.order.includes('lead') ? 'lead' : scope.order[0]!);
  if (!scope.order.includes(entry)) throw new AppError('invalid', `entry_stage "${entry}" is not a lifecycle stage of this workspace (${scope.order.join(', ')})`, { field: 'entry_stage', value: entry });
  const builder = new CohortBuilder(scope.order, entry, { fromMs: scope.from.getTime(), toMs: scope.to.getTime() });
  for await (const contact of streamFirstStageEntries(db, workspaceId, { segmentId: scope.segmentId })) builder.add(contact.firstEntered);
  return { from: scope.from.toISOString(), to: scope.to.toISOString(), segment: query.segment ?? null, entry_stage: entry, cohorts: builder.result() };
}
