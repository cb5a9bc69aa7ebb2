import type { DemoAccount } from './demo-accounts.ts';
import { DAY_MS } from './demo-contacts.ts';
import { mixSeed, SeededRandom } from './seeded-random.ts';

/** A deal at a demo account, as a CRM would export it; the loader resolves the account id. */
export interface DemoOpportunity {
  externalId: string;
  /** The account's Segment groupId (accounts.external_id). */
  accountExternalId: string;
  name: string;
  amount: number;
  currency: string;
  stage: DemoStage;
  createdDate: string;
  closedDate: string | null;
}

export type DemoStage = 'Prospecting' | 'Qualification' | 'Proposal' | 'Negotiation' | 'Closed Won' | 'Closed Lost';

const OPEN_STAGES: readonly DemoStage[] = ['Prospecting', 'Qualification', 'Proposal', 'Negotiation'];
// Rough conversions from USD for deals booked in the account's own currency.
const FROM_USD: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79 };

interface Deal {
  kind: 'New Business' | 'Expansion';
  product: string;
  share: number;
}

/**
 * The account's deals: larger companies are likelier to buy and buy bigger, slower. A deal
 * is created some days after the account's first conversion; deals whose sales cycle has
 * run its course by the anchor are closed (won or lost), the rest sit in an open stage
 * matching how far along they are.
 */
export function planOpportunities(seed: number, account: DemoAccount, firstConversionMs: number, anchorMs: number): DemoOpportunity[] {
  const rng = new SeededRandom(mixSeed(seed, account.index, 0x0bb));
  const e = account.employees;
  const probability = e < 50 ? 0.18 : e < 200 ? 0.25 : e < 1000 ? 0.32 : e < 5000 ? 0.42 : 0.5;
  if (!rng.chance(probability)) return [];
  const deals: Deal[] = [{ kind: 'New Business', product: 'Northstack Platform', share: 1 }];
  if (e >= 1000 && rng.chance(0.3)) deals.push({ kind: 'Expansion', product: rng.pick(['Attribution Add-on', 'Additional Workspaces', 'Premium Support']), share: 0.35 });
  const baseAmount = Math.max(3_000, 6_000 * (e / 50) ** 0.55 * rng.jitter(0.35));
  const cycleDays = e < 200 ? 25 : e < 1000 ? 45 : 90;
  const currency = account.country.currency in FROM_USD && account.country.currency !== 'USD' && rng.chance(0.6) ? account.country.currency : 'USD';
  const result: DemoOpportunity[] = [];
  let createdMs = firstConversionMs + 2 * DAY_MS + rng.exponential(20 * DAY_MS);
  for (const [k, deal] of deals.entries()) {
    if (createdMs > anchorMs - DAY_MS) break;
    const cycleMs = cycleDays * DAY_MS * rng.jitter(0.4);
    const won = rng.chance(e < 200 ? 0.38 : 0.3);
    // Lost deals tend to die before the full cycle has run.
    const closeMs = createdMs + cycleMs * (won ? 1 : rng.between(0.3, 1));
    const closed = closeMs <= anchorMs;
    const progress = (anchorMs - createdMs) / (closeMs - createdMs);
    const stage: DemoStage = closed ? (won ? 'Closed Won' : 'Closed Lost') : OPEN_STAGES[Math.min(3, Math.floor(progress * 4))]!;
    result.push({
      externalId: `demo-${seed}-opp-${account.index}-${k + 1}`,
      accountExternalId: account.externalId,
      name: `${account.name} - ${deal.product} (${deal.kind})`,
      amount: Math.round((baseAmount * deal.share * FROM_USD[currency]!) / 100) * 100,
      currency,
      stage,
      createdDate: new Date(Math.round(createdMs)).toISOString(),
      closedDate: closed ? new Date(Math.round(closeMs)).toISOString() : null,
    });
    // Only a customer expands: an expansion follows a won deal, some weeks after it closed.
    if (stage !== 'Closed Won') break;
    createdMs = closeMs + rng.between(20, 90) * DAY_MS;
  }
  return result;
}
