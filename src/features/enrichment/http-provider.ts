import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { systemClock, type Clock } from './token-bucket.ts';

const TraitName = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'a trait name: lower-case letters, digits and _');

/** The generic HTTP provider's configuration (stored per workspace, validated here). */
export const HttpProviderConfigSchema = z
  .object({
    url_template: z
      .string()
      .url()
      .regex(/^https?:\/\//, 'an http(s) URL')
      .refine((u) => /\{(domain|email)\}/.test(u), 'must contain {domain} or {email}')
      .describe('URL with {domain} or {email}, e.g. https://api.example.com/v1/companies?domain={domain}'),
    lookup: z.enum(['domain', 'email']).default('domain').describe('What one request looks up: a business e-mail domain (or an account domain), or an e-mail'),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000)).default({}).describe('Request headers (e.g. an API key); never shown back in full'),
    mapping: z.record(TraitName, z.string().min(1).max(200)).refine((m) => Object.keys(m).length > 0, 'at least one field').describe('trait suffix -> dot path in the JSON answer: { "industry": "company.category.industry" } writes enriched_industry'),
    timeout_ms: z.number().int().min(10).max(60_000).default(5000),
    max_retries: z.number().int().min(0).max(10).default(2).describe('Retries after a network error, a timeout, 429 or 5xx'),
    retry_base_ms: z.number().int().min(1).max(60_000).default(250).describe('Backoff: retry n waits retry_base_ms * 2^n'),
    rate_limit: z.object({ per_second: z.number().positive().max(10_000), burst: z.number().int().min(1).max(10_000) }).default({ per_second: 5, burst: 5 }),
    ttl_seconds: z.number().int().min(0).max(31_536_000).default(7 * 86_400).describe('How long an answer (or a 404) is cached'),
  })
  .strict();

export type HttpProviderConfig = z.infer<typeof HttpProviderConfigSchema>;

/** The published JSON Schema of a provider configuration (schemas/enrichment-provider.schema.json). */
export function providerConfigJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(HttpProviderConfigSchema, { io: 'input' }), $id: 'https://keel.dev/schemas/enrichment-provider.schema.json', title: 'Keel enrichment provider (generic HTTP)' };
}

export type ProviderAnswer = { status: 'hit'; fields: Record<string, unknown> } | { status: 'miss' };

/** A lookup that failed after its retries; `reason` says how (status, timeout, bad JSON). */
export class ProviderError extends Error {
  readonly retryable: boolean;
  /** Requests made for the lookup, retries included. */
  readonly attempts: number;
  constructor(message: string, retryable: boolean, attempts = 1) {
    super(message);
    this.name = 'ProviderError';
    this.retryable = retryable;
    this.attempts = attempts;
  }
}

/** Validates a provider configuration; the error names the field and the value. */
export function parseHttpProviderConfig(input: unknown): HttpProviderConfig {
  const parsed = HttpProviderConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join('.') || '(config)';
  let value: unknown = input;
  for (const key of issue.path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  throw new AppError('invalid', `provider config ${path}: ${issue.message} (got ${JSON.stringify(value) ?? 'nothing'})`, { field: path });
}

function valueAt(json: unknown, path: string): unknown {
  let value = json;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = Array.isArray(value) && /^\d+$/.test(key) ? value[Number(key)] : (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The mapped fields of a JSON answer: scalars only, text cut at 500 characters. */
export function mapProviderFields(json: unknown, mapping: Record<string, string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [trait, path] of Object.entries(mapping)) {
    const value = valueAt(json, path);
    if (typeof value === 'string' && value.trim() !== '') fields[trait] = value.trim().slice(0, 500);
    else if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'boolean') fields[trait] = value;
  }
  return fields;
}

async function requestOnce(config: HttpProviderConfig, url: string): Promise<ProviderAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: 'application/json', ...config.headers }, signal: AbortSignal.timeout(config.timeout_ms) });
  } catch (error) {
    const name = (error as Error).name;
    throw new ProviderError(name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${config.timeout_ms} ms` : `network error: ${(error as Error).message}`, true);
  }
  const body = await response.text().catch(() => '');
  if (response.status === 404) return { status: 'miss' };
  if (response.status === 429 || response.status >= 500) throw new ProviderError(`HTTP ${response.status}`, true);
  if (!response.ok) throw new ProviderError(`HTTP ${response.status}: ${body.slice(0, 200)}`, false);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ProviderError(`bad JSON in the answer: ${JSON.stringify(body.slice(0, 80))}`, false);
  }
  const fields = mapProviderFields(json, config.mapping);
  return Object.keys(fields).length > 0 ? { status: 'hit', fields } : { status: 'miss' };
}

/**
 * One lookup through the generic HTTP provider: GET the URL template with the key
 * filled in (URL-encoded), map the JSON answer's fields. Network errors, timeouts, 429
 * and 5xx are retried with exponential backoff (retry_base_ms * 2^n); 404 or an answer
 * without any mapped field is a miss; other 4xx and bad JSON fail at once.
 */
export async function lookupHttpProvider(config: HttpProviderConfig, key: string, clock: Clock = systemClock): Promise<ProviderAnswer & { attempts: number }> {
  const url = config.url_template.replace(/\{(domain|email)\}/g, encodeURIComponent(key));
  for (let attempt = 0; ; attempt += 1) {
    try {
      return { ...(await requestOnce(config, url)), attempts: attempt + 1 };
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retryable || attempt >= config.max_retries) {
        const message = error instanceof ProviderError ? error.message : String(error);
        throw new ProviderError(attempt > 0 ? `${message} (after ${attempt + 1} attempts)` : message, false, attempt + 1);
      }
      await clock.sleep(config.retry_base_ms * 2 ** attempt);
    }
  }
}
