import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import type { PeriodUnit } from '../../platform/calendar-periods.ts';
import { listAccounts } from '../accounts/index.ts';
import { listStageReaches } from '../audiences/index.ts';
import { listContactAccountLinks } from '../contacts/index.ts';
import { backfillTouchpoints, listNamedTrackEvents, streamTouchpointsByContact, type TouchpointRow } from '../events/index.ts';
import { listOpportunitiesBetween } from '../opportunities/index.ts';
import { runAttributionModel, type ModelName, type ModelOptions } from './attribution-models.ts';
import { getAttributionSettings } from './attribution-settings.ts';
import { ChannelGrouping, type ChannelRulesConfig, type EventConversionDeclaration, type StageConversionDeclaration } from './channel-rules.ts';
import { creditsByPeriod, type PeriodCredits } from './credits-by-period.ts';
import type { ChannelCredits } from './credits.ts';
import { cachedClassifier, touchpointsOfCandidates } from './touchpoints.ts';
import type { JourneyInput } from './path-table.ts';
import { buildWorkspaceJourneys, touchColumnsOf, type Dimension, type EventConversion, type OpportunityFacts, type TouchColumns } from './workspace-journeys.ts';

const DAY_MS = 86_400_000;

export interface WorkspaceAttributionInput {
  model: ModelName;
  from: Date;
  to: Date;
  dimension?: Dimension;
  /** Days of touches before each conversion that count (default 90). */
  lookbackDays?: number;
  /** Settings for this run; default: the workspace's saved settings (or the defaults). */
  config?: ChannelRulesConfig;
  options?: Omit<ModelOptions, 'lookbackDays'>;
  /** Only these accounts (and their contacts): a segment's accounts (seam for segments). */
  accountIds?: ReadonlySet<string>;
  /** Only accounts with at least this many employees ("enterprise pipeline"). */
  minEmployees?: number;
  /** Also break the credits down by the period of each conversion. */
  period?: PeriodUnit;
}

export type PeriodCreditRow = CreditRow & { period: string };

export interface CreditRow {
  key: string;
  conversions: number;
  value: number;
  opportunities: number;
  pipeline: number;
  won: number;
  revenue: number;
}

export interface WorkspaceAttribution {
  model: ModelName;
  dimension: Dimension;
  from: string;
  to: string;
  lookback_days: number;
  min_employees: number | null;
  rows: CreditRow[];
  totals: Omit<CreditRow, 'key'>;
  touchpoints: number;
  journeys: { conversions: number; pipeline: number; revenue: number };
  untouched: { conversions: number; opportunities: number; won: number };
  unmapped: Array<{ source_medium: string; touches: number }>;
  notes: Record<string, number | string>;
  /** The period unit of `by_period`, null without a breakdown. */
  period: PeriodUnit | null;
  /** Credits per period and key (period order, then as `rows`); per key they add up to `rows`. */
  by_period: PeriodCreditRow[];
}

/**
 * Attribution over a workspace's own touchpoints: declared conversions (count and value),
 * pipeline (opportunities created in the period, account-based) and revenue (won
 * opportunities closed in the period), credited per channel, source, campaign or content.
 * Amounts are summed as stored, whatever their currency (no conversion).
 */
export async function attributeWorkspace(db: Kysely<Database>, workspaceId: string, input: WorkspaceAttributionInput): Promise<WorkspaceAttribution> {
  const { from, to } = input;
  if (!(from.getTime() < to.getTime())) throw new AppError('invalid', `from must be before to, got from=${from.toISOString()} to=${to.toISOString()}`);
  const lookbackDays = input.lookbackDays ?? 90;
  if (!(lookbackDays > 0 && lookbackDays <= 3650)) throw new AppError('invalid', `lookback must be between 0 and 3650 days, got ${lookbackDays}`);
  const lookbackMs = lookbackDays * DAY_MS;
  const config = input.config ?? (await getAttributionSettings(db, workspaceId)).config;
  const grouping = new ChannelGrouping(config);
  const conversionEvents = new Map(config.conversions.filter((c): c is EventConversionDeclaration => 'event' in c).map((c) => [c.event, c.value_property]));
  const contactsByAccount = new Map<string, string[]>();
  for (const link of await listContactAccountLinks(db, workspaceId)) {
    const list = contactsByAccount.get(link.account_id) ?? [];
    list.push(link.contact_id);
    contactsByAccount.set(link.account_id, list);
  }
  const accounts = await accountScope(db, workspaceId, input);
  if (accounts) {
    for (const id of [...contactsByAccount.keys()]) if (!accounts.has(id)) contactsByAccount.delete(id);
  }
  const opportunities: OpportunityFacts[] = (await listOpportunitiesBetween(db, workspaceId, from, to)).filter((o) => !accounts || accounts.has(o.account_id)).map((o) => ({
    accountId: o.account_id,
    amount: Number(o.amount),
    createdMs: new Date(o.created_date).getTime(),
    closedMs: o.closed_date ? new Date(o.closed_date).getTime() : null,
    won: o.is_won,
  }));
  // Touches from the lookback before the earliest conversion or opportunity creation.
  const earliest = opportunities.reduce((min, o) => Math.min(min, o.createdMs), from.getTime()) - lookbackMs;
  // Events stored before migration 0015 get their touchpoints first (once; resumable).
  await backfillTouchpoints(db, workspaceId);
  const touchRows = streamTouchpointsByContact(db, workspaceId, { from: new Date(earliest), to });
  const inScope = accounts ? new Set([...contactsByAccount.values()].flat()) : null;
  const dimension = input.dimension ?? 'channel';
  const { touchesByContact, touchpoints } = await collectTouches(touchRows, inScope, grouping, dimension);
  const conversions: EventConversion[] = [];
  for (const e of await listNamedTrackEvents(db, workspaceId, { from, to, names: [...conversionEvents.keys()] })) {
    if (inScope && !inScope.has(e.contact_id)) continue;
    const property = conversionEvents.get(e.name);
    const raw = property ? e.properties[property] : 0;
    conversions.push({ contactId: e.contact_id, time: e.time, value: typeof raw === 'number' && Number.isFinite(raw) ? raw : Number(raw) || 0 });
  }
  const stages = config.conversions.filter((c): c is StageConversionDeclaration => 'stage' in c);
  for (const declared of stages) {
    for (const reach of await listStageReaches(db, workspaceId, declared.stage, from, to)) {
      if (!inScope || inScope.has(reach.contactId)) conversions.push({ contactId: reach.contactId, time: reach.time, value: declared.value ?? 0 });
    }
  }
  const sets = buildWorkspaceJourneys(touchesByContact, conversions, contactsByAccount, opportunities, { fromMs: from.getTime(), toMs: to.getTime(), lookbackMs }, input.period !== undefined);
  const run = (table: typeof sets.conversions) => (table.pathCount === 0 ? null : runAttributionModel(table, input.model, input.options ?? {}));
  const credits = { conversions: run(sets.conversions), pipeline: run(sets.pipeline), revenue: run(sets.revenue) };
  const rows = mergeCredits(credits);
  const byPeriod = input.period ? breakDownByPeriod(sets.journeys, input.period, input.model, input.options ?? {}, credits) : [];
  return {
    model: input.model,
    dimension,
    from: from.toISOString(),
    to: to.toISOString(),
    lookback_days: lookbackDays,
    min_employees: input.minEmployees ?? null,
    rows,
    totals: sumRows(rows),
    touchpoints,
    journeys: { conversions: sets.conversions.pathCount, pipeline: sets.pipeline.pathCount, revenue: sets.revenue.pathCount },
    untouched: sets.untouched,
    unmapped: [...grouping.unmapped].sort((a, b) => b[1] - a[1]).map(([source_medium, touches]) => ({ source_medium, touches })),
    notes: Object.fromEntries(Object.entries(credits).flatMap(([set, c]) => Object.entries(c?.notes ?? {}).map(([k, v]) => [`${set}.${k}`, v]))),
    period: input.period ?? null,
    by_period: byPeriod,
  };
}

/** The account ids in scope, or null for all: --min-employees and/or an explicit set. */
async function accountScope(db: Kysely<Database>, workspaceId: string, input: WorkspaceAttributionInput): Promise<ReadonlySet<string> | null> {
  if (input.minEmployees === undefined) return input.accountIds ?? null;
  const ids = new Set<string>();
  let after: { createdAt: string; id: string } | undefined;
  for (;;) {
    const page = await listAccounts(db, workspaceId, { minEmployees: input.minEmployees, limit: 5000, after });
    for (const a of page.slice(0, 5000)) if (!input.accountIds || input.accountIds.has(a.id)) ids.add(a.id);
    if (page.length <= 5000) return ids;
    const last = page[4999]!;
    after = { createdAt: new Date(last.created_at).toISOString(), id: last.id };
  }
}

/**
 * Touchpoints of the contacts in scope from the stored rows, read contact by contact: only
 * each contact's touches stay in memory, as columns keyed by the dimension; channels come
 * from the grouping once per distinct (kind, source, medium, campaign), and repeated key
 * strings are shared.
 */
async function collectTouches(stream: AsyncIterable<{ contactId: string; rows: TouchpointRow[] }>, inScope: ReadonlySet<string> | null, grouping: ChannelGrouping, dimension: Dimension) {
  const touchesByContact = new Map<string, TouchColumns>();
  const strings = new Map<string, string>();
  const intern = (v: string) => {
    const known = strings.get(v);
    if (known !== undefined) return known;
    strings.set(v, v);
    return v;
  };
  const classify = cachedClassifier(grouping);
  let touchpoints = 0;
  for await (const { contactId, rows } of stream) {
    if (inScope && !inScope.has(contactId)) continue;
    const touches = touchpointsOfCandidates(contactId, rows, grouping, classify);
    touchpoints += touches.length;
    if (touches.length > 0) touchesByContact.set(contactId, touchColumnsOf(touches, dimension, intern));
  }
  return { touchesByContact, touchpoints };
}

type CreditSets<T> = Record<'conversions' | 'pipeline' | 'revenue', T>;

function breakDownByPeriod(journeys: CreditSets<JourneyInput[]>, unit: PeriodUnit, model: ModelName, options: ModelOptions, overall: CreditSets<ChannelCredits | null>): PeriodCreditRow[] {
  const parts: CreditSets<Map<string, ChannelCredits>> = { conversions: new Map(), pipeline: new Map(), revenue: new Map() };
  const labels = new Set<string>();
  for (const set of ['conversions', 'pipeline', 'revenue'] as const) {
    for (const p of creditsByPeriod(journeys[set], unit, model, options, overall[set]) as PeriodCredits[]) {
      parts[set].set(p.period, p.credits);
      labels.add(p.period);
    }
  }
  return [...labels].sort().flatMap((period) =>
    mergeCredits({ conversions: parts.conversions.get(period) ?? null, pipeline: parts.pipeline.get(period) ?? null, revenue: parts.revenue.get(period) ?? null }).map((r) => ({ period, ...r })),
  );
}

function mergeCredits(credits: Record<'conversions' | 'pipeline' | 'revenue', ChannelCredits | null>): CreditRow[] {
  const rows = new Map<string, CreditRow>();
  const row = (key: string) => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, conversions: 0, value: 0, opportunities: 0, pipeline: 0, won: 0, revenue: 0 }));
    return r;
  };
  credits.conversions?.channels.forEach((k, i) => {
    row(k).conversions += credits.conversions!.conversions[i]!;
    row(k).value += credits.conversions!.value[i]!;
  });
  credits.pipeline?.channels.forEach((k, i) => {
    row(k).opportunities += credits.pipeline!.conversions[i]!;
    row(k).pipeline += credits.pipeline!.value[i]!;
  });
  credits.revenue?.channels.forEach((k, i) => {
    row(k).won += credits.revenue!.conversions[i]!;
    row(k).revenue += credits.revenue!.value[i]!;
  });
  return [...rows.values()].sort((a, b) => b.pipeline - a.pipeline || b.conversions - a.conversions || a.key.localeCompare(b.key));
}

function sumRows(rows: CreditRow[]): Omit<CreditRow, 'key'> {
  const t = { conversions: 0, value: 0, opportunities: 0, pipeline: 0, won: 0, revenue: 0 };
  for (const r of rows) for (const k of Object.keys(t) as Array<keyof typeof t>) t[k] += r[k];
  return t;
}
