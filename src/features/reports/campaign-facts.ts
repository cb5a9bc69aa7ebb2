// Loads what the campaign report needs from the features that own it, through their
// index.ts: messaging's message log, events (tracking hits and bounces), consent's
// opt-outs, journeys' run outcomes, contacts' account links and won opportunities.
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { listOptOutsSince } from '../consent/index.ts';
import { listContactAccountLinks } from '../contacts/index.ts';
import { countJourneyMessageEvents } from '../events/index.ts';
import type { RunOutcome } from '../journeys/index.ts';
import type { JourneyMessage } from '../messaging/index.ts';
import { listOpportunitiesBetween } from '../opportunities/index.ts';
import { attributeOptOuts, BOUNCED, CLICKED, OPENED, type MessageFacts } from './campaign-delivery.ts';

const DAY_MS = 86_400_000;

/** Per message: opens (all and human), clicks, bounces, an attributed unsubscribe, a later conversion. */
export async function loadMessageFacts(
  db: Kysely<Database>, workspaceId: string, journeyId: string, messages: readonly JourneyMessage[], runs: readonly RunOutcome[], unsubscribeWindowDays: number,
): Promise<Map<string, MessageFacts>> {
  const facts = new Map<string, MessageFacts>();
  const ids = new Set(messages.map((m) => m.id));
  const factOf = (id: string) => facts.get(id) ?? facts.set(id, { opens: 0, humanOpens: 0, clicks: 0, hardBounce: false, softBounce: false, unsubscribed: false, converted: false }).get(id)!;
  for (const row of await countJourneyMessageEvents(db, workspaceId, journeyId, [OPENED, CLICKED, BOUNCED])) {
    if (!row.message_id || !ids.has(row.message_id)) continue;
    const f = factOf(row.message_id);
    if (row.name === OPENED) {
      f.opens += row.n;
      if (row.machine_open !== 'true') f.humanOpens += row.n;
    } else if (row.name === CLICKED) f.clicks += row.n;
    else if (row.type === 'hard') f.hardBounce = true;
    else if (row.type === 'soft') f.softBounce = true;
  }
  const first = messages[0];
  if (first) {
    const optOuts = await listOptOutsSince(db, workspaceId, new Date(first.sent_at));
    for (const id of attributeOptOuts(messages, optOuts, unsubscribeWindowDays)) factOf(id).unsubscribed = true;
  }
  const conversions = new Map<string, number[]>();
  for (const r of runs) if (r.status === 'converted' && r.ended_at) (conversions.get(r.contact_id) ?? conversions.set(r.contact_id, []).get(r.contact_id)!).push(new Date(r.ended_at).getTime());
  for (const m of messages) {
    const sent = new Date(m.sent_at).getTime();
    if (m.contact_id && conversions.get(m.contact_id)?.some((at) => at >= sent)) factOf(m.id).converted = true;
  }
  return facts;
}

/**
 * Won revenue per converted run: won opportunities of the contact's accounts closed from the
 * conversion to `windowDays` after it. Returns, per run id, the opportunities (id → amount),
 * so a group sums each opportunity once.
 */
export async function loadWonRevenue(db: Kysely<Database>, workspaceId: string, runs: readonly RunOutcome[], windowDays: number): Promise<Map<string, Map<string, number>>> {
  const converted = runs.filter((r) => r.status === 'converted' && r.ended_at);
  const out = new Map<string, Map<string, number>>();
  if (converted.length === 0) return out;
  const times = converted.map((r) => new Date(r.ended_at!).getTime());
  const from = new Date(Math.min(...times));
  const to = new Date(Math.max(...times) + windowDays * DAY_MS + 1);
  const won = (await listOpportunitiesBetween(db, workspaceId, from, to)).filter((o) => o.is_won && o.closed_date);
  if (won.length === 0) return out;
  const accountsOf = new Map<string, string[]>();
  for (const l of await listContactAccountLinks(db, workspaceId)) (accountsOf.get(l.contact_id) ?? accountsOf.set(l.contact_id, []).get(l.contact_id)!).push(l.account_id);
  for (const r of converted) {
    const at = new Date(r.ended_at!).getTime();
    const accounts = new Set(accountsOf.get(r.contact_id) ?? []);
    const opps = new Map<string, number>();
    for (const o of won) {
      const closed = new Date(o.closed_date!).getTime();
      if (o.account_id && accounts.has(o.account_id) && closed >= at && closed <= at + windowDays * DAY_MS) opps.set(o.id, Number(o.amount ?? 0));
    }
    if (opps.size > 0) out.set(r.id, opps);
  }
  return out;
}

/** The revenue of a set of runs, each opportunity counted once. */
export function sumRevenue(revenue: ReadonlyMap<string, ReadonlyMap<string, number>>, runIds: Iterable<string>): number {
  const seen = new Map<string, number>();
  for (const id of runIds) for (const [opp, amount] of revenue.get(id) ?? []) seen.set(opp, amount);
  return [...seen.values()].reduce((a, b) => a + b, 0);
}
