import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, encodeCursor, LimitParam, PageSchema } from '../../platform/http/pagination.ts';
import { actorOfPrincipal } from '../audit/index.ts';
import { getPolicies, presentPolicies, updatePolicies } from './policies.service.ts';
import { addSuppressions, importSuppressionsCsv, listSuppressions, removeSuppression } from './suppressions.service.ts';
import { CHANNELS } from './topics.service.ts';

const security = [{ adminKey: [] }];
const REASONS = ['hard_bounce', 'complaint', 'manual', 'unsubscribed'] as const;

const SuppressionSchema = z
  .object({
    id: z.string(),
    scope: z.enum(['global', 'topic', 'channel']),
    reason: z.string(),
    email: z.string().nullable().openapi({ description: 'Null for erased people: only email_hash is kept' }),
    email_hash: z.string().nullable(),
    topic_id: z.string().nullable(),
    channel: z.string().nullable(),
    source: z.string(),
    note: z.string().nullable(),
    created_at: isoDate,
  })
  .openapi('Suppression');

const SuppressionBody = z
  .object({
    email: z.string().min(3).max(320),
    reason: z.enum(REASONS),
    topic: z.string().min(1).max(63).optional().openapi({ description: 'Per-topic suppression' }),
    channel: z.enum(CHANNELS as [string, ...string[]]).optional().openapi({ description: 'Per-channel suppression' }),
    note: z.string().max(1000).optional(),
  })
  .strict()
  .openapi('AddSuppression');

export function registerSuppressionRoutes(app: ApiApp, deps: RouteDeps): void {
  registerListSuppressions(app, deps);
  registerAddSuppression(app, deps);
  registerImportSuppressions(app, deps);
  registerRemoveSuppression(app, deps);
}

function registerListSuppressions(app: ApiApp, deps: RouteDeps): void {
  const Query = z.object({ email: z.string().max(320).optional(), scope: z.enum(['global', 'topic', 'channel']).optional(), reason: z.enum([...REASONS, 'erased']).optional(), limit: LimitParam, cursor: CursorParam }).strict();
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/suppressions', tags: ['Consent'], summary: 'Suppression list, newest first', security,
      request: { query: Query },
      responses: { 200: { description: 'A page', content: { 'application/json': { schema: PageSchema(SuppressionSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const before = decodeCursor(query.cursor, ['bigint']);
      const page = await listSuppressions(deps.db, c.get('principal').workspaceId, { email: query.email, scope: query.scope, reason: query.reason, limit: query.limit, beforeId: before?.[0] });
      return c.json(toJson({ data: page.items, next_cursor: page.nextBeforeId ? encodeCursor([page.nextBeforeId]) : null }), 200);
    },
  );
}

function registerAddSuppression(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/suppressions', tags: ['Consent'], summary: 'Suppress an address: globally, for a topic or for a channel', security,
      request: { body: { content: { 'application/json': { schema: SuppressionBody } }, required: true } },
      responses: { 201: { description: 'Added', content: { 'application/json': { schema: SuppressionSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const [row] = await addSuppressions(deps.db, principal.workspaceId, [{ email: b.email, reason: b.reason, topicKey: b.topic, channel: b.channel, note: b.note, source: 'api' }], actorOfPrincipal(principal));
      return c.json(toJson(row), 201);
    },
  );
}

function registerImportSuppressions(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'post', path: '/api/v1/suppressions/import', tags: ['Consent'], summary: 'Import suppressions from CSV (columns email, reason, topic, channel, note); all or nothing', security,
      request: { body: { content: { 'text/csv': { schema: z.string() } }, required: true } },
      responses: { 201: { description: 'Imported', content: { 'application/json': { schema: z.object({ imported: z.number(), rows: z.number() }) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const type = c.req.header('content-type') ?? '';
      if (!/^text\/(csv|plain)/i.test(type)) throw new AppError('unsupported_media_type', `Send the CSV with Content-Type text/csv, got ${JSON.stringify(type)}`);
      const principal = c.get('principal');
      return c.json(await importSuppressionsCsv(deps.db, principal.workspaceId, await c.req.text(), actorOfPrincipal(principal)), 201);
    },
  );
}

function registerRemoveSuppression(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'delete', path: '/api/v1/suppressions/{id}', tags: ['Consent'], summary: 'Lift a suppression (never an erased person\'s)', security,
      request: { params: z.object({ id: z.string().regex(/^\d{1,19}$/, 'must be a suppression id (a number)').openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 204: { description: 'Lifted' }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const principal = c.get('principal');
      await removeSuppression(deps.db, principal.workspaceId, c.req.valid('param').id, actorOfPrincipal(principal));
      return c.body(null, 204);
    },
  );
}

const PoliciesSchema = z
  .object({
    sender_name: z.string().nullable(),
    sender_email: z.string().nullable(),
    postal_address: z.string().nullable().openapi({ description: 'CAN-SPAM physical address; marketing email is refused without it' }),
    unsubscribe_mailbox: z.string().nullable(),
    page_texts: z.record(z.string(), z.string()),
    max_per_day: z.number().nullable(),
    max_per_week: z.number().nullable(),
    quiet_start_minute: z.number().nullable(),
    quiet_end_minute: z.number().nullable(),
    quiet_timezone: z.string(),
    smtp_url: z.string().nullable().openapi({ description: 'Password masked' }),
    retention_days: z.number().nullable(),
    retention_mode: z.enum(['delete', 'anonymize']),
    updated_at: isoDate,
    email_max_per_day: z.number().nullable(),
    email_max_per_week: z.number().nullable(),
    sms_max_per_day: z.number().nullable(),
    sms_max_per_week: z.number().nullable(),
    cap_reserve_priority: z.number().openapi({ description: 'journey messages with a lower priority may not take the last free slot of a cap (of 2 or more)' }),
    webhook_allowed_hosts: z.array(z.string()),
    webhook_secret_set: z.boolean(),
    sms_base_url: z.string().nullable(),
    sms_account: z.string().nullable(),
    sms_from: z.string().nullable(),
    sms_token_set: z.boolean(),
    sms_inbound_secret_set: z.boolean(),
    dkim_domain: z.string().nullable(),
    dkim_selector: z.string().nullable(),
    dkim_private_key_set: z.boolean(),
  })
  .openapi('WorkspacePolicies');

const PoliciesBody = z
  .object({
    sender_name: z.string().max(200).nullable(),
    sender_email: z.string().max(320).nullable(),
    postal_address: z.string().max(500).nullable(),
    unsubscribe_mailbox: z.string().max(320).nullable(),
    page_texts: z.record(z.string(), z.string().max(2000)),
    max_per_day: z.number().int().nullable(),
    max_per_week: z.number().int().nullable(),
    quiet_hours: z.object({ start: z.string(), end: z.string(), timezone: z.string().optional() }).strict().nullable().openapi({ description: 'e.g. {"start":"21:00","end":"08:00","timezone":"Europe/Paris"}' }),
    smtp_url: z.string().max(2000).nullable(),
    retention_days: z.number().int().nullable(),
    retention_mode: z.enum(['delete', 'anonymize']),
    email_max_per_day: z.number().int().nullable(),
    email_max_per_week: z.number().int().nullable(),
    sms_max_per_day: z.number().int().nullable(),
    sms_max_per_week: z.number().int().nullable(),
    cap_reserve_priority: z.number().int(),
    webhook_secret: z.string().max(500).nullable().openapi({ description: 'HMAC key of X-Keel-Signature, 24+ characters; never shown again' }),
    webhook_allowed_hosts: z.array(z.string().max(260)).max(100).openapi({ description: 'hosts webhooks may reach: "hooks.example.com", "*.example.com", "localhost:8080"' }),
    sms: z.object({ base_url: z.string().max(2000), account: z.string().max(500), token: z.string().max(500), from: z.string().max(20) }).strict().nullable().openapi({ description: 'provider of POST {base_url}/Messages (form To, From, Body; Basic account:token)' }),
    sms_inbound_secret: z.string().max(500).nullable().openapi({ description: 'the secret of POST /sms/inbound/{workspace}/{secret}, 24+ characters' }),
    dkim: z.object({ domain: z.string().max(253), selector: z.string().max(63), private_key: z.string().max(20_000) }).strict().nullable().openapi({ description: 'DKIM signing of outgoing email; the PEM key is checked on save' }),
  })
  .partial()
  .strict()
  .openapi('UpdateWorkspacePolicies');

export function registerPolicyRoutes(app: ApiApp, deps: RouteDeps): void {
  app.openapi(
    createRoute({
      method: 'get', path: '/api/v1/policies', tags: ['Consent'], summary: 'Sending and privacy settings: sender, postal address, caps, quiet hours, page texts, retention', security,
      responses: { 200: { description: 'Settings', content: { 'application/json': { schema: PoliciesSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => c.json(toJson(presentPolicies(await getPolicies(deps.db, c.get('principal').workspaceId))), 200),
  );
  app.openapi(
    createRoute({
      method: 'patch', path: '/api/v1/policies', tags: ['Consent'], summary: 'Change sending and privacy settings (audited)', security,
      request: { body: { content: { 'application/json': { schema: PoliciesBody } }, required: true } },
      responses: { 200: { description: 'Settings', content: { 'application/json': { schema: PoliciesSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const principal = c.get('principal');
      const updated = await updatePolicies(
        deps.db,
        principal.workspaceId,
        {
          senderName: b.sender_name, senderEmail: b.sender_email, postalAddress: b.postal_address, unsubscribeMailbox: b.unsubscribe_mailbox,
          pageTexts: b.page_texts, maxPerDay: b.max_per_day, maxPerWeek: b.max_per_week, quietHours: b.quiet_hours, smtpUrl: b.smtp_url,
          retentionDays: b.retention_days, retentionMode: b.retention_mode,
          emailMaxPerDay: b.email_max_per_day, emailMaxPerWeek: b.email_max_per_week, smsMaxPerDay: b.sms_max_per_day, smsMaxPerWeek: b.sms_max_per_week,
          capReservePriority: b.cap_reserve_priority, webhookSecret: b.webhook_secret, webhookAllowedHosts: b.webhook_allowed_hosts, smsInboundSecret: b.sms_inbound_secret,
          sms: b.sms === undefined ? undefined : b.sms && { baseUrl: b.sms.base_url, account: b.sms.account, token: b.sms.token, from: b.sms.from },
          dkim: b.dkim === undefined ? undefined : b.dkim && { domain: b.dkim.domain, selector: b.dkim.selector, privateKey: b.dkim.private_key },
        },
        actorOfPrincipal(principal),
      );
      return c.json(toJson(updated), 200);
    },
  );
}
