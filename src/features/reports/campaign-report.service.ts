import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { attributeWorkspace, type ModelName } from '../attribution/index.ts';
import { listCostsInRange } from '../costs/index.ts';
import { listJourneys, listRunOutcomes, showJourney, type RunOutcome } from '../journeys/index.ts';
import { listJourneyMessages, type JourneyMessage } from '../messaging/index.ts';
import { measureDelivery, type DeliveryMeasures, type MessageFacts } from './campaign-delivery.ts';
import { loadMessageFacts, loadWonRevenue, sumRevenue } from './campaign-facts.ts';
import { testTwoProportions, type ProportionTest } from './proportion-test.ts';
import { selectCurrency } from './roi.service.ts';

export const REVENUE_BASES = ['won_opportunities', 'attributed'] as const;
export type RevenueBasis = (typeof REVENUE_BASES)[number];
export const HOLDOUT = 'holdout';

export interface CampaignQuery {
  from?: Date | undefined;
  to?: Date | undefined;
  /** Days after a message in which an opt-out counts as its unsubscribe (default 7). */
  unsubscribeWindowDays?: number | undefined;
  /** won_opportunities (default): won deals of converted contacts' accounts; attributed: the campaign's attributed revenue. */
  revenue?: RevenueBasis | undefined;
  /** won_opportunities: days after the conversion in which a deal must close (default 90). */
  revenueWindowDays?: number | undefined;
  /** attributed: the model (default linear). */
  model?: ModelName | undefined;
  /** The variant the others are tested against (default: the first variant of the journey's first split step). */
  control?: string | undefined;
  currency?: string | undefined;
}

export interface Outcomes { entered: number; converted: number; conversion_rate: number | null; revenue: number | null }
export type CampaignTotals = DeliveryMeasures & Outcomes & { cost: number; roi: number | null };
export type StepRow = DeliveryMeasures & { step_id: string; channel: string; variant: string | null };
export type VariantRow = DeliveryMeasures & Outcomes & { variant: string; holdout: boolean };
export type VariantTest = ProportionTest & { variant: string; control: string; metric: 'conversion' | 'click'; rate: number | null; control_rate: number | null; n: number; control_n: number };
export type HoldoutLift = ProportionTest & { treated_entered: number; treated_converted: number; treated_rate: number | null; holdout_entered: number; holdout_converted: number; holdout_rate: number | null };

export interface CampaignReport {
  journey: { id: string; key: string; name: string; state: string };
  from: string;
  to: string;
  unsubscribe_window_days: number;
  revenue_basis: RevenueBasis;
  revenue_window_days: number | null;
  model: ModelName | null;
  currency: string | null;
  control: string | null;
  totals: CampaignTotals;
  steps: StepRow[];
  variants: VariantRow[];
  tests: VariantTest[];
  holdout: HoldoutLift | null;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const inRange = (at: Date | string, from: Date, to: Date) => {
  const t = new Date(at).getTime();
  return t >= from.getTime() && t < to.getTime();
};
const checkDays = (field: string, value: number | undefined, fallback: number) => {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || value > 3650) throw new AppError('invalid', `${field} must be a number of days from 1 to 3650, got ${value}`, { field, value });
  return value;
};

/**
 * The delivery report of one journey: totals, per step and variant, per variant (the holdout
 * too), two-proportion z-tests of each variant against the control and the holdout lift.
 * See docs/campaign-report.md for every definition.
 */
export async function reportCampaign(db: Kysely<Database>, workspaceId: string, key: string, query: CampaignQuery = {}): Promise<CampaignReport> {
  const journey = await showJourney(db, workspaceId, key);
  // Default: from the start of the (UTC) day the journey was created, so that day's imported cost counts whole.
  const from = query.from ?? new Date(Math.floor(new Date(journey.created_at).getTime() / 86_400_000) * 86_400_000);
  const to = query.to ?? new Date();
  if (from.getTime() >= to.getTime()) throw new AppError('invalid', `from (${from.toISOString()}) must be before to (${to.toISOString()})`, { field: 'from' });
  const unsubscribeWindowDays = checkDays('unsubscribe_window_days', query.unsubscribeWindowDays, 7);
  const basis = query.revenue ?? 'won_opportunities';
  const revenueWindowDays = checkDays('revenue_window_days', query.revenueWindowDays, 90);
  const runs = (await listRunOutcomes(db, workspaceId, journey.id)).filter((r) => inRange(r.entered_at, from, to));
  const messages = (await listJourneyMessages(db, workspaceId, journey.id)).filter((m) => inRange(m.sent_at, from, to));
  const facts = await loadMessageFacts(db, workspaceId, journey.id, messages, runs, unsubscribeWindowDays);
  const won = basis === 'won_opportunities' ? await loadWonRevenue(db, workspaceId, runs, revenueWindowDays) : null;
  const revenueOf = (group: readonly RunOutcome[]) => (won ? sumRevenue(won, group.map((r) => r.id)) : null);
  const treated = runs.filter((r) => r.variant !== HOLDOUT);
  const totalRevenue = won ? revenueOf(treated) : await attributedRevenue(db, workspaceId, journey, from, to, query.model ?? 'linear');
  const costs = selectCurrency(await listCostsInRange(db, workspaceId, from, to), query.currency);
  const campaignKeys = new Set([journey.key.toLowerCase(), journey.id.toLowerCase()]);
  const cost = costs.filter((c) => campaignKeys.has(c.campaign.trim().toLowerCase())).reduce((a, c) => a + c.cost, 0);
  const variants = variantRows(runs, messages, facts, revenueOf);
  const control = chooseControl(query.control, journey.definition, variants);
  return {
    journey: { id: journey.id, key: journey.key, name: journey.name, state: journey.state },
    from: from.toISOString(),
    to: to.toISOString(),
    unsubscribe_window_days: unsubscribeWindowDays,
    revenue_basis: basis,
    revenue_window_days: basis === 'won_opportunities' ? revenueWindowDays : null,
    model: basis === 'attributed' ? (query.model ?? 'linear') : null,
    currency: query.currency?.trim().toUpperCase() ?? costs.find((c) => campaignKeys.has(c.campaign.trim().toLowerCase()))?.currency ?? null,
    control,
    totals: { ...measureDelivery(messages, facts), ...outcomes(treated, totalRevenue), cost, roi: cost > 0 && totalRevenue !== null ? (totalRevenue - cost) / cost : null },
    steps: stepRows(messages, facts, journey.definition.steps.map((s) => s.id)),
    variants,
    tests: control ? variantTests(variants, control) : [],
    holdout: holdoutLift(treated, runs.filter((r) => r.variant === HOLDOUT)),
  };
}

/** Every journey of the workspace with its totals (the campaign list). */
export async function reportCampaigns(db: Kysely<Database>, workspaceId: string, query: Omit<CampaignQuery, 'control'> = {}) {
  const journeys = await listJourneys(db, workspaceId);
  const rows = [];
  for (const j of journeys) {
    const r = await reportCampaign(db, workspaceId, j.key, query);
    rows.push({ key: j.key, name: j.name, state: j.state, holdout_lift: r.holdout?.difference ?? null, holdout_p_value: r.holdout?.p_value ?? null, ...r.totals });
  }
  return { from: query.from?.toISOString() ?? null, to: query.to?.toISOString() ?? null, revenue_basis: query.revenue ?? 'won_opportunities', journeys: rows };
}
export type CampaignList = Awaited<ReturnType<typeof reportCampaigns>>;

function outcomes(runs: readonly RunOutcome[], revenue: number | null): Outcomes {
  const converted = runs.filter((r) => r.status === 'converted').length;
  return { entered: runs.length, converted, conversion_rate: ratio(converted, runs.length), revenue };
}

async function attributedRevenue(db: Kysely<Database>, workspaceId: string, journey: { id: string; key: string }, from: Date, to: Date, model: ModelName): Promise<number> {
  const result = await attributeWorkspace(db, workspaceId, { model, from, to, dimension: 'campaign' });
  const keys = new Set([journey.id.toLowerCase(), journey.key.toLowerCase()]);
  return result.rows.filter((r) => keys.has(r.key.toLowerCase())).reduce((a, r) => a + r.revenue, 0);
}

function stepRows(messages: readonly JourneyMessage[], facts: ReadonlyMap<string, MessageFacts>, order: readonly string[]): StepRow[] {
  const groups = new Map<string, JourneyMessage[]>();
  for (const m of messages) {
    const k = JSON.stringify([m.step_id ?? '', m.variant ?? null, m.channel]);
    (groups.get(k) ?? groups.set(k, []).get(k)!).push(m);
  }
  const rank = (id: string) => (order.includes(id) ? order.indexOf(id) : order.length);
  return [...groups.entries()]
    .map(([k, group]) => {
      const [stepId, variant, channel] = JSON.parse(k) as [string, string | null, string];
      return { step_id: stepId, channel, variant, ...measureDelivery(group, facts) };
    })
    .sort((a, b) => rank(a.step_id) - rank(b.step_id) || a.step_id.localeCompare(b.step_id) || (a.variant ?? '').localeCompare(b.variant ?? ''));
}

function variantRows(runs: readonly RunOutcome[], messages: readonly JourneyMessage[], facts: ReadonlyMap<string, MessageFacts>, revenueOf: (runs: readonly RunOutcome[]) => number | null): VariantRow[] {
  const names = [...new Set(runs.map((r) => r.variant).filter((v): v is string => v !== null))].sort((a, b) => (a === HOLDOUT ? 1 : b === HOLDOUT ? -1 : a.localeCompare(b)));
  return names.map((variant) => {
    const group = runs.filter((r) => r.variant === variant);
    return { variant, holdout: variant === HOLDOUT, ...measureDelivery(messages.filter((m) => m.variant === variant), facts), ...outcomes(group, revenueOf(group)) };
  });
}

function chooseControl(requested: string | undefined, definition: { steps: ReadonlyArray<{ split?: { variants: ReadonlyArray<{ name: string }> } | undefined }> }, variants: readonly VariantRow[]): string | null {
  const arms = variants.filter((v) => !v.holdout).map((v) => v.variant);
  if (requested !== undefined) {
    if (!arms.includes(requested)) throw new AppError('invalid', `control must be one of the journey's variants (${arms.join(', ') || 'none'}), got ${JSON.stringify(requested)}`, { field: 'control', value: requested });
    return requested;
  }
  const declared = definition.steps.find((s) => s.split)?.split?.variants.map((v) => v.name).find((n) => arms.includes(n));
  return declared ?? arms[0] ?? null;
}

function variantTests(variants: readonly VariantRow[], control: string): VariantTest[] {
  const ref = variants.find((v) => v.variant === control)!;
  const tests: VariantTest[] = [];
  for (const v of variants) {
    if (v.holdout || v.variant === control) continue;
    const conversion = testTwoProportions(v.converted, v.entered, ref.converted, ref.entered);
    if (conversion) tests.push({ variant: v.variant, control, metric: 'conversion', rate: v.conversion_rate, control_rate: ref.conversion_rate, n: v.entered, control_n: ref.entered, ...conversion });
    const click = testTwoProportions(v.clicked_unique, v.delivered, ref.clicked_unique, ref.delivered);
    if (click) tests.push({ variant: v.variant, control, metric: 'click', rate: v.click_rate, control_rate: ref.click_rate, n: v.delivered, control_n: ref.delivered, ...click });
  }
  return tests;
}

function holdoutLift(treated: readonly RunOutcome[], held: readonly RunOutcome[]): HoldoutLift | null {
  const t = treated.filter((r) => r.status === 'converted').length;
  const h = held.filter((r) => r.status === 'converted').length;
  const test = testTwoProportions(t, treated.length, h, held.length);
  if (!test) return null;
  return { treated_entered: treated.length, treated_converted: t, treated_rate: ratio(t, treated.length), holdout_entered: held.length, holdout_converted: h, holdout_rate: ratio(h, held.length), ...test };
}
