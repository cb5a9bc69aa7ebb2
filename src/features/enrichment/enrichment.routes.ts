import { createRoute, z } from '@hono/zod-openapi';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { getEnrichmentSettings, updateEnrichmentSettings } from './enrichment-settings.ts';
import { enrichAllAccounts, enrichAllContacts } from './enrichment.service.ts';
import { HttpProviderConfigSchema, providerConfigJsonSchema } from './http-provider.ts';
import { previewRecord } from './preview.ts';
import { runProviderEnrichment } from './provider-run.ts';
import { listProviders, removeProvider, saveProvider } from './providers.ts';

const security = [{ adminKey: [] }];
const json = <T extends z.ZodTypeAny>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

const Traits = z.record(z.string(), z.unknown());
const PreviewBody = z
  .object({
    kind: z.enum(['contact', 'account']).default('contact'),
    traits: Traits.openapi({ example: { email: ' Ada@ACME.com ', phone: '030 1234567', country: 'Deutschland', title: 'vp of marketing' } }),
    context: Traits.optional().openapi({ description: 'Segment context (its timezone fills the contact time zone)' }),
  })
  .strict()
  .openapi('NormalizePreviewRequest');
const IssueSchema = z.object({ field: z.string(), value: z.string(), reason: z.string() });
const PreviewSchema = z
  .object({
    kind: z.enum(['contact', 'account']),
    fields: Traits,
    traits: Traits,
    issues: z.array(IssueSchema),
    enrichment: z.object({
      traits: Traits,
      sources: z.record(z.string(), z.string()),
      account: z.object({ domain: z.string(), existing_account_id: z.string().nullable(), would_create: z.boolean() }).nullable().optional(),
      timezone_candidates: z.array(z.string()).optional(),
    }),
  })
  .openapi('NormalizePreview');

const SettingsSchema = z
  .object({ create_accounts_from_email_domain: z.boolean(), extra_free_mail_domains: z.array(z.string()) })
  .openapi('EnrichmentSettings');
const SettingsBody = z
  .object({ create_accounts_from_email_domain: z.boolean().optional(), extra_free_mail_domains: z.array(z.string().max(253)).max(10_000).optional() })
  .strict()
  .openapi('EnrichmentSettingsUpdate');

const RunBody = z
  .object({
    target: z.enum(['contacts', 'accounts']),
    provider: z.string().min(1).max(63).optional().openapi({ description: 'Run this external provider instead of the built-in enrichment' }),
  })
  .strict()
  .openapi('EnrichmentRunRequest');
const RunSchema = z
  .object({
    target: z.enum(['contacts', 'accounts']),
    provider: z.string().nullable(),
    records: z.number().int(),
    enriched: z.number().int(),
    accounts_linked: z.number().int().optional(),
    accounts_created: z.number().int().optional(),
    lookups: z.number().int().optional(),
    cache_hits: z.number().int().optional(),
    requests: z.number().int().optional(),
    misses: z.number().int().optional(),
    rate_limited_ms: z.number().int().optional(),
    errors: z.array(z.object({ key: z.string(), reason: z.string() })).optional(),
  })
  .openapi('EnrichmentRun');

const ProviderSchema = z
  .object({ name: z.string(), kind: z.literal('http'), enabled: z.boolean(), config: z.record(z.string(), z.unknown()), updated_at: isoDate })
  .openapi('EnrichmentProvider');
const ProviderBody = z.object({ config: HttpProviderConfigSchema, enabled: z.boolean().optional() }).strict().openapi('EnrichmentProviderUpdate');
const NameParam = z.object({ name: z.string().min(1).max(100).openapi({ param: { name: 'name', in: 'path' } }) });

export function registerEnrichmentRoutes(app: ApiApp, deps: RouteDeps): void {
  registerPreviewRoute(app, deps);
  registerSettingsRoutes(app, deps);
  registerRunRoute(app, deps);
  registerProviderRoutes(app, deps);
}

function registerPreviewRoute(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/normalize/preview', tags: ['Normalization'], security,
      summary: 'How a record would be normalized, validated and enriched (nothing is written)',
      request: { body: json(PreviewBody) },
      responses: { 200: ok('The normalized record, its issues and its enrichment', PreviewSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(toJson(await previewRecord(deps.db, c.get('principal').workspaceId, body.kind, body.traits, body.context)), 200);
    },
  );
}

const presentSettings = (s: { createAccountsFromEmailDomain: boolean; extraFreeMailDomains: string[] }) => ({
  create_accounts_from_email_domain: s.createAccountsFromEmailDomain,
  extra_free_mail_domains: s.extraFreeMailDomains,
});

function registerSettingsRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/enrichment/settings', tags: ['Enrichment'], security, summary: "The workspace's enrichment settings",
      responses: { 200: ok('Settings', SettingsSchema), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(presentSettings(await getEnrichmentSettings(deps.db, c.get('principal').workspaceId)), 200),
  );
  app.openapi(
    createRoute({
      method: 'put', path: '/api/v1/enrichment/settings', tags: ['Enrichment'], security,
      summary: 'Change enrichment settings (create accounts from e-mail domains, extra free-mail domains); audited',
      request: { body: json(SettingsBody) },
      responses: { 200: ok('Settings after the change', SettingsSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const principal = c.get('principal');
      const after = await updateEnrichmentSettings(deps.db, principal.workspaceId, {
        ...(body.create_accounts_from_email_domain !== undefined ? { createAccountsFromEmailDomain: body.create_accounts_from_email_domain } : {}),
        ...(body.extra_free_mail_domains !== undefined ? { extraFreeMailDomains: body.extra_free_mail_domains } : {}),
      }, actorOfPrincipal(principal));
      return c.json(presentSettings(after), 200);
    },
  );
}

function registerRunRoute(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/enrichment/runs', tags: ['Enrichment'], security,
      summary: 'Re-enrich every contact or account now (built-in rules, or one external provider)',
      request: { body: json(RunBody) },
      responses: { 200: ok('What the run did', RunSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { target, provider } = c.req.valid('json');
      const workspaceId = c.get('principal').workspaceId;
      if (provider) {
        const o = await runProviderEnrichment(deps.db, workspaceId, provider, target);
        return c.json({ target, provider, records: o.records, enriched: o.enriched, lookups: o.lookups, cache_hits: o.cacheHits, requests: o.requests, misses: o.misses, rate_limited_ms: o.rateLimitedMs, errors: o.errors }, 200);
      }
      const o = target === 'contacts' ? await enrichAllContacts(deps.db, workspaceId) : await enrichAllAccounts(deps.db, workspaceId);
      return c.json({ target, provider: null, records: o.records, enriched: o.enriched, accounts_linked: o.accountsLinked, accounts_created: o.accountsCreated }, 200);
    },
  );
}

function registerProviderRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/enrichment/provider-schema', tags: ['Enrichment'], security, summary: 'The JSON Schema of a provider configuration',
      responses: { 200: ok('JSON Schema (draft 2020-12)', z.record(z.string(), z.unknown())), ...ERROR_RESPONSES },
    }),
    (c) => c.json(providerConfigJsonSchema(), 200),
  );
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/enrichment/providers', tags: ['Enrichment'], security, summary: 'External enrichment providers (header values masked)',
      responses: { 200: ok('Providers', z.object({ data: z.array(ProviderSchema) })), ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson({ data: await listProviders(deps.db, c.get('principal').workspaceId) }), 200),
  );
  app.openapi(
    createRoute({
      method: 'put', path: '/api/v1/enrichment/providers/{name}', tags: ['Enrichment'], security,
      summary: 'Create or replace a generic HTTP provider (URL template, headers, JSON field mapping, rate limit, cache TTL); audited',
      request: { params: NameParam, body: json(ProviderBody) },
      responses: { 200: ok('The provider', ProviderSchema), ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      const body = c.req.valid('json');
      const view = await saveProvider(deps.db, principal.workspaceId, c.req.valid('param').name, { config: body.config, enabled: body.enabled }, actorOfPrincipal(principal));
      return c.json(toJson(view), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete', path: '/api/v1/enrichment/providers/{name}', tags: ['Enrichment'], security, summary: 'Remove a provider and its cache; audited',
      request: { params: NameParam },
      responses: { 204: { description: 'Removed' }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      await removeProvider(deps.db, principal.workspaceId, c.req.valid('param').name, actorOfPrincipal(principal));
      return c.body(null, 204);
    },
  );
}
