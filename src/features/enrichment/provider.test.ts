import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../platform/db/connection.ts';
import { openTestDatabase, testDatabaseLabel } from '../../platform/db/test-database.ts';
import { systemActor } from '../audit/index.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';
import { createWorkspace } from '../workspaces/index.ts';
import { lookupHttpProvider, parseHttpProviderConfig, providerConfigJsonSchema } from './http-provider.ts';
import { runProviderEnrichment } from './provider-run.ts';
import { listProviders, saveProvider } from './providers.ts';
import { TokenBucket, type Clock } from './token-bucket.ts';

/** A virtual clock: sleeping advances time at once and is recorded, so nothing here is timed. */
function virtualClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } };
}

let db: Db;
let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  db = await openTestDatabase();
  server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const domain = url.searchParams.get('domain') ?? '';
    const count = (hits.get(domain) ?? 0) + 1;
    hits.set(domain, count);
    if (req.headers['x-api-key'] !== 'secret-key-1234') return void res.writeHead(401).end('no key');
    if (domain === 'flaky.com' && count < 3) return void res.writeHead(503).end('busy');
    if (domain === 'down.com') return void res.writeHead(500).end('broken');
    if (domain === 'slow.com') return void setTimeout(() => res.writeHead(200).end('{}'), 5000);
    if (domain === 'garbled.com') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"company": ');
    if (domain === 'unknown.com') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ company: { name: domain.split('.')[0]!.toUpperCase(), category: { industry: 'Software' }, metrics: { employees: 250 } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await db.close();
});

const configFor = (extra: Record<string, unknown> = {}) => ({
  url_template: `${base}/companies?domain={domain}`,
  headers: { 'x-api-key': 'secret-key-1234' },
  mapping: { industry: 'company.category.industry', employees: 'company.metrics.employees', company_name: 'company.name' },
  retry_base_ms: 100,
  // Generous: the machine is shared; only the slow-server case below times out on purpose.
  timeout_ms: 5000,
  ...extra,
});

describe('token bucket', () => {
  it('allows a burst, then the rate', async () => {
    const clock = virtualClock();
    const bucket = new TokenBucket(2, 3, clock);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    expect(await bucket.take()).toBe(500);
    expect(bucket.tryTake()).toBe(false);
  });
});

describe('generic HTTP provider against a local server', () => {
  it('maps fields, retries 5xx with backoff, and reports what fails', async () => {
    const config = parseHttpProviderConfig(configFor());
    const clock = virtualClock();
    expect(await lookupHttpProvider(config, 'acme.com', clock)).toEqual({ status: 'hit', fields: { industry: 'Software', employees: 250, company_name: 'ACME' }, attempts: 1 });
    expect(await lookupHttpProvider(config, 'flaky.com', clock)).toMatchObject({ status: 'hit', attempts: 3 });
    expect(clock.slept).toEqual([100, 200]);
    expect(await lookupHttpProvider(config, 'unknown.com', clock)).toEqual({ status: 'miss', attempts: 1 });
    await expect(lookupHttpProvider(config, 'down.com', clock)).rejects.toThrow('HTTP 500 (after 3 attempts)');
    await expect(lookupHttpProvider(config, 'garbled.com', clock)).rejects.toThrow('bad JSON');
    await expect(lookupHttpProvider({ ...config, timeout_ms: 300, max_retries: 1 }, 'slow.com', clock)).rejects.toThrow('timed out after 300 ms (after 2 attempts)');
    await expect(lookupHttpProvider({ ...config, headers: {} }, 'acme.com', clock)).rejects.toThrow('HTTP 401');
  });

  it('refuses a bad configuration naming the field and the value', () => {
    expect(() => parseHttpProviderConfig(configFor({ url_template: 'ftp://x/{domain}' }))).toThrow(/url_template.*ftp:\/\/x/);
    expect(() => parseHttpProviderConfig(configFor({ mapping: { 'Bad Name': 'a' } }))).toThrow(/mapping/);
    expect(() => parseHttpProviderConfig(configFor({ surprise: 1 }))).toThrow(/surprise|Unrecognized/);
  });
});

describe(`provider runs with cache and rate limit (${testDatabaseLabel})`, () => {
  it('enriches contacts by business domain, caches answers, and waits for the rate limiter', async () => {
    const ws = await createWorkspace(db.kysely, 'provider');
    const people = ['acme.com', 'globex.com', 'initech.com', 'unknown.com', 'down.com', 'gmail.com'].map((d, i) => ({
      type: 'identify', userId: `u${i}`, messageId: `m${i}`, traits: { email: `p${i}@${d}` },
    }));
    people.push({ type: 'identify', userId: 'u9', messageId: 'm9', traits: { email: 'q@mail.acme.com' } });
    await acceptEvents(db.kysely, ws.id, { events: people, receivedAt: new Date() });
    await processInbox(db.kysely);
    await saveProvider(db.kysely, ws.id, 'firmo', { config: configFor({ rate_limit: { per_second: 2, burst: 1 }, max_retries: 0 }) }, systemActor('test'));
    const [view] = await listProviders(db.kysely, ws.id);
    expect(view!.config.headers).toEqual({ 'x-api-key': '****1234' });

    hits.clear();
    const clock = virtualClock();
    const first = await runProviderEnrichment(db.kysely, ws.id, 'firmo', 'contacts', { clock });
    // 5 business domains (acme.com twice, gmail.com never looked up); down.com fails
    // (no retries here, so that the rate limiter is the only thing that sleeps).
    expect(first).toMatchObject({ records: 7, lookups: 5, cacheHits: 0, requests: 5, enriched: 4, misses: 1 });
    expect(first.errors).toEqual([{ key: 'down.com', reason: 'HTTP 500' }]);
    // Burst 1 at 2/s: the 2nd..5th lookups each wait 500 ms for a token.
    expect(first.rateLimitedMs).toBe(4 * 500);
    expect(hits.get('gmail.com')).toBeUndefined();
    const acme = await db.kysely.selectFrom('contacts').select('traits').where('workspace_id', '=', ws.id).where('email', '=', 'q@mail.acme.com').executeTakeFirstOrThrow();
    expect(acme.traits).toMatchObject({ enriched_industry: 'Software', enriched_employees: 250, enrichment_sources: { enriched_industry: 'provider:firmo' } });

    hits.clear();
    const second = await runProviderEnrichment(db.kysely, ws.id, 'firmo', 'contacts', { clock: virtualClock() });
    // Hits and misses come from the cache; only the failed lookup is tried again.
    expect(second).toMatchObject({ lookups: 5, cacheHits: 4, enriched: 4 });
    expect([...hits.keys()]).toEqual(['down.com']);
  });
});

describe('provider configuration JSON Schema', () => {
  it('is published in schemas/ as the zod schema generates it (KEEL_WRITE_SCHEMAS=1 rewrites it)', () => {
    const file = new URL('../../../schemas/enrichment-provider.schema.json', import.meta.url);
    if (process.env.KEEL_WRITE_SCHEMAS === '1') writeFileSync(file, `${JSON.stringify(providerConfigJsonSchema(), null, 2)}\n`);
    const published = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    expect(published).toEqual(providerConfigJsonSchema());
  });
});
