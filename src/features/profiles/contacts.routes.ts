import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../platform/errors.ts';
import { ERROR_RESPONSES, IdParam, isoDate, toJson } from '../../platform/http/api-app.ts';
import type { ApiApp, RouteDeps } from '../../platform/http/app-env.ts';
import { CursorParam, decodeCursor, LimitParam, PageSchema, toPage } from '../../platform/http/pagination.ts';
import { getAccountsOfContact, getContact, listContacts, type ContactQuery } from '../contacts/index.ts';
import { EventQuery, EventSchema, queryEventsPage } from '../events/index.ts';
import { getIdentitiesOfContact, getMergesOfContact } from '../identity/index.ts';
import { ContactSchema } from './profiles.schemas.ts';

const ContactListQuery = z
  .object({
    email: z.string().max(320).optional().openapi({ description: 'Exact email (case-insensitive)' }),
    q: z.string().min(1).max(200).optional().openapi({ description: 'Substring of email, name or company' }),
    trait: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .openapi({ description: 'key:value on custom traits; repeat for several (all must match)' }),
    account_id: z.string().uuid().optional(),
    limit: LimitParam,
    cursor: CursorParam,
  })
  .strict();

const ContactDetailSchema = ContactSchema.extend({
  identities: z.array(z.object({ kind: z.enum(['user_id', 'anonymous_id', 'email']), value: z.string(), created_at: isoDate })),
  accounts: z.array(z.object({ id: z.string().uuid(), name: z.string().nullable(), domain: z.string().nullable(), external_id: z.string().nullable() })),
  merges: z.array(
    z.object({
      id: z.string(),
      winner_id: z.string().uuid(),
      loser_id: z.string().uuid(),
      reason: z.string(),
      message_id: z.string().nullable(),
      identities_moved: z.number().int(),
      events_moved: z.number().int(),
      merged_at: isoDate,
      undone_at: isoDate.nullable(),
    }),
  ),
}).openapi('ContactDetail');

function parseTraitFilters(trait: string | string[] | undefined): Record<string, string> | undefined {
  if (trait === undefined) return undefined;
  const filters: Record<string, string> = {};
  for (const item of Array.isArray(trait) ? trait : [trait]) {
    const at = item.indexOf(':');
    if (at <= 0) throw new AppError('invalid', `trait filter "${item}" must be key:value`);
    filters[item.slice(0, at)] = item.slice(at + 1);
  }
  return filters;
}

/** One page of contacts, newest first; shared by /contacts and /accounts/{id}/contacts. */
export async function contactsPage(deps: RouteDeps, workspaceId: string, filter: Omit<ContactQuery, 'limit' | 'after'>, page: { limit: number; cursor?: string | undefined }) {
  const after = decodeCursor(page.cursor, ['timestamp', 'uuid']);
  const rows = await listContacts(deps.db, workspaceId, {
    ...filter,
    limit: page.limit,
    after: after ? { createdAt: after[0]!, id: after[1]! } : undefined,
  });
  const result = toPage(rows, page.limit, (r) => [r.created_at.toISOString(), r.id]);
  return toJson(result);
}

/** A merged-away contact id answers 404 naming the contact it lives on in now. */
async function getContactOrMergeTarget(deps: RouteDeps, workspaceId: string, id: string) {
  try {
    return await getContact(deps.db, workspaceId, id);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'not_found') throw error;
    const merged = (await getMergesOfContact(deps.db, workspaceId, id)).find((m) => m.loser_id === id && m.undone_at === null);
    if (!merged) throw error;
    throw new AppError('not_found', `Contact ${id} was merged into ${merged.winner_id} (${merged.reason})`, { merged_into: merged.winner_id });
  }
}

export function registerContactRoutes(app: ApiApp, deps: RouteDeps): void {
  const security = [{ adminKey: [] }];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/contacts',
      tags: ['Contacts'],
      summary: 'List and search contacts (newest first)',
      security,
      request: { query: ContactListQuery },
      responses: { 200: { description: 'A page of contacts', content: { 'application/json': { schema: PageSchema(ContactSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const filter = { email: query.email, q: query.q, traits: parseTraitFilters(query.trait), accountId: query.account_id };
      return c.json(await contactsPage(deps, c.get('principal').workspaceId, filter, query), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/contacts/{id}',
      tags: ['Contacts'],
      summary: 'One contact with its identities, accounts and merge history',
      security,
      request: { params: IdParam },
      responses: { 200: { description: 'The contact', content: { 'application/json': { schema: ContactDetailSchema } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { workspaceId } = c.get('principal');
      const { id } = c.req.valid('param');
      const { workspace_id: _, ...contact } = await getContactOrMergeTarget(deps, workspaceId, id);
      const [identities, accounts, merges] = await Promise.all([
        getIdentitiesOfContact(deps.db, workspaceId, id),
        getAccountsOfContact(deps.db, workspaceId, id),
        getMergesOfContact(deps.db, workspaceId, id),
      ]);
      return c.json(toJson({ ...contact, identities, accounts, merges }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/contacts/{id}/events',
      tags: ['Contacts'],
      summary: "A contact's timeline: every event, anonymous ones from before they identified included",
      security,
      request: { params: IdParam, query: EventQuery.omit({ contact_id: true }) },
      responses: { 200: { description: 'A page of events', content: { 'application/json': { schema: PageSchema(EventSchema) } } }, ...ERROR_RESPONSES },
    }),
    async (c) => {
      const { workspaceId } = c.get('principal');
      const { id } = c.req.valid('param');
      await getContact(deps.db, workspaceId, id);
      return c.json(await queryEventsPage(deps, workspaceId, c.req.valid('query'), id), 200);
    },
  );
}
