import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { pageAccountCores, setAccountTraits } from '../accounts/index.ts';
import { pageContactCores, setContactTraits } from '../contacts/index.ts';
import { checkEmail, classifyEmailDomain, registrableDomainOf } from '../normalization/index.ts';
import { getEnrichmentSettings } from './enrichment-settings.ts';
import { lookupHttpProvider, ProviderError, type HttpProviderConfig, type ProviderAnswer } from './http-provider.ts';
import * as q from './enrichment.queries.ts';
import { getProviderConfig } from './providers.ts';
import { systemClock, TokenBucket, type Clock } from './token-bucket.ts';

export interface ProviderRunOutcome {
  provider: string;
  records: number;
  /** Distinct lookup keys (domains or e-mails) the records needed. */
  lookups: number;
  cacheHits: number;
  requests: number;
  /** Records that got at least one field from the provider. */
  enriched: number;
  misses: number;
  errors: Array<{ key: string; reason: string }>;
  /** Milliseconds spent waiting for the rate limiter. */
  rateLimitedMs: number;
}

// One bucket per workspace and provider in this process, so that runs one after another
// share the provider's rate.
const buckets = new Map<string, TokenBucket>();

function bucketFor(workspaceId: string, name: string, config: HttpProviderConfig, clock: Clock): TokenBucket {
  const key = `${workspaceId}:${name}`;
  const existing = buckets.get(key);
  if (existing && existing.perSecond === config.rate_limit.per_second && existing.burst === config.rate_limit.burst && clock === systemClock) return existing;
  const bucket = new TokenBucket(config.rate_limit.per_second, config.rate_limit.burst, clock);
  if (clock === systemClock) buckets.set(key, bucket);
  return bucket;
}

const MAX_REPORTED_ERRORS = 20;
const PAGE = 500;

interface Target {
  id: string;
  key: string | undefined;
  traits: Record<string, unknown>;
}

/**
 * Runs one external provider over every contact (looked up by business e-mail domain or
 * e-mail) or account (by domain). Answers are cached per key for the provider's TTL, so
 * a re-run costs no request; requests go through the provider's token bucket. Fields
 * land as `enriched_<name>` traits with `enrichment_sources[...] = "provider:<name>"`.
 */
export async function runProviderEnrichment(
  db: Kysely<Database>,
  workspaceId: string,
  name: string,
  target: 'contacts' | 'accounts',
  options: { clock?: Clock } = {},
): Promise<ProviderRunOutcome> {
  const { config, enabled } = await getProviderConfig(db, workspaceId, name);
  if (!enabled) throw new AppError('conflict', `Enrichment provider ${JSON.stringify(name)} is disabled`);
  const clock = options.clock ?? systemClock;
  const bucket = bucketFor(workspaceId, name, config, clock);
  const settings = await getEnrichmentSettings(db, workspaceId);
  const outcome: ProviderRunOutcome = { provider: name, records: 0, lookups: 0, cacheHits: 0, requests: 0, enriched: 0, misses: 0, errors: [], rateLimitedMs: 0 };
  const answers = new Map<string, ProviderAnswer | null>();
  const keyOf = (email: string | null, domain: string | null): string | undefined => {
    if (target === 'accounts') return domain ?? undefined;
    const check = email ? checkEmail(email) : undefined;
    if (!check?.ok || classifyEmailDomain(check.email.domain, { extraFreeMailDomains: settings.extraFreeMailDomains }) !== 'business') return undefined;
    return config.lookup === 'email' ? check.email.address : registrableDomainOf(check.email.domain);
  };
  let afterId: string | undefined;
  for (;;) {
    const page: Target[] = target === 'contacts'
      ? (await pageContactCores(db, workspaceId, afterId, PAGE)).map((c) => ({ id: c.id, key: keyOf(c.email, null), traits: c.traits }))
      : (await pageAccountCores(db, workspaceId, afterId, PAGE)).map((a) => ({ id: a.id, key: keyOf(null, a.domain), traits: a.traits }));
    if (page.length === 0) break;
    afterId = page.at(-1)!.id;
    outcome.records += page.length;
    await resolveKeys(db, workspaceId, name, config, [...new Set(page.flatMap((t) => (t.key && !answers.has(t.key) ? [t.key] : [])))], answers, outcome, bucket, clock);
    const rows = page.flatMap((t) => {
      const answer = t.key ? answers.get(t.key) : undefined;
      if (answer?.status !== 'hit') return [];
      const traits = Object.fromEntries(Object.entries(answer.fields).map(([k, v]) => [`enriched_${k}`, v]));
      const sources = { ...((t.traits.enrichment_sources as Record<string, unknown> | undefined) ?? {}), ...Object.fromEntries(Object.keys(traits).map((k) => [k, `provider:${name}`])) };
      return [{ id: t.id, traits: { ...traits, enrichment_sources: sources } }];
    });
    outcome.enriched += rows.length;
    await (target === 'contacts' ? setContactTraits(db, workspaceId, rows) : setAccountTraits(db, workspaceId, rows));
  }
  return outcome;
}

async function resolveKeys(
  db: Kysely<Database>, workspaceId: string, name: string, config: HttpProviderConfig, keys: string[],
  answers: Map<string, ProviderAnswer | null>, outcome: ProviderRunOutcome, bucket: TokenBucket, clock: Clock,
): Promise<void> {
  outcome.lookups += keys.length;
  const cached = await q.selectCached(db, workspaceId, name, keys, new Date());
  const fresh: q.CachedAnswer[] = [];
  for (const key of keys) {
    const hit = cached.get(key);
    if (hit) {
      outcome.cacheHits += 1;
      answers.set(key, hit.status === 'hit' ? { status: 'hit', fields: hit.response } : { status: 'miss' });
      if (hit.status === 'miss') outcome.misses += 1;
      continue;
    }
    outcome.rateLimitedMs += await bucket.take();
    try {
      const answer = await lookupHttpProvider(config, key, clock);
      outcome.requests += answer.attempts;
      answers.set(key, answer.status === 'hit' ? { status: 'hit', fields: answer.fields } : { status: 'miss' });
      if (answer.status === 'miss') outcome.misses += 1;
      fresh.push({ lookup_key: key, status: answer.status, response: answer.status === 'hit' ? answer.fields : {} });
    } catch (error) {
      // Not cached: the next run tries again.
      answers.set(key, null);
      outcome.requests += error instanceof ProviderError ? error.attempts : 1;
      if (outcome.errors.length < MAX_REPORTED_ERRORS) outcome.errors.push({ key, reason: error instanceof ProviderError ? error.message : String(error) });
    }
  }
  await q.upsertCached(db, workspaceId, name, fresh, new Date(), config.ttl_seconds);
}
