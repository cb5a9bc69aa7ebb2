import { sql, type Kysely } from 'kysely';
import type { ContactRow, Database } from '../../platform/db/schema.ts';
import type { ContactFields } from './contact-fields.ts';

type Q = Kysely<Database>;

export const CONTACT_COLUMNS = [
  'id', 'email', 'phone', 'first_name', 'last_name', 'title', 'company', 'country', 'timezone',
  'traits', 'traits_updated_at', 'created_at', 'updated_at', 'first_seen_at', 'last_seen_at',
] as const;

export async function insertBlankContacts(db: Q, workspaceId: string, ids: string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await sql`
    insert into contacts (workspace_id, id, created_at, updated_at)
    select ${workspaceId}::uuid, id, ${at}::timestamptz, ${at}::timestamptz from unnest(${ids}::uuid[]) as id`.execute(db);
}

export interface ContactPatch {
  id: string;
  fields: ContactFields;
  /** Custom traits, merged with the stored ones. */
  traits: Record<string, unknown>;
  /** Event time of the newest identify in the patch; null when it holds none. */
  identifiedAt: Date | null;
  firstSeen: Date;
  lastSeen: Date;
}


/**
 * Applies many patches in one statement. A patch from a newer identify (by event time)
 * overwrites; one from an older identify, arriving late, only fills what is missing.
 */
export async function updateContactPatches(db: Q, workspaceId: string, patches: ContactPatch[], at: Date): Promise<void> {
  if (patches.length === 0) return;
  const rows = patches.map((p) => ({
    id: p.id,
    ...p.fields,
    traits: p.traits,
    identified_at: p.identifiedAt?.toISOString() ?? null,
    first_seen: p.firstSeen.toISOString(),
    last_seen: p.lastSeen.toISOString(),
  }));
  const pick = (column: keyof ContactFields) =>
    sql`case when p.newer then coalesce(p.${sql.ref(column)}, c.${sql.ref(column)}) else coalesce(c.${sql.ref(column)}, p.${sql.ref(column)}) end`;
  await sql`
    update contacts c set
      email = ${pick('email')}, phone = ${pick('phone')}, first_name = ${pick('first_name')}, last_name = ${pick('last_name')},
      title = ${pick('title')}, company = ${pick('company')}, country = ${pick('country')}, timezone = ${pick('timezone')},
      traits = case when p.traits = '{}'::jsonb then c.traits when p.newer then c.traits || p.traits else p.traits || c.traits end,
      traits_updated_at = greatest(c.traits_updated_at, p.identified_at),
      first_seen_at = least(c.first_seen_at, p.first_seen),
      last_seen_at = greatest(c.last_seen_at, p.last_seen),
      updated_at = case when p.identified_at is null then c.updated_at else ${at}::timestamptz end
    from (
      select t.*, (t.identified_at is not null and (c0.traits_updated_at is null or t.identified_at >= c0.traits_updated_at)) as newer
      from json_to_recordset(${JSON.stringify(rows)}::json) as t(
        id uuid, email text, phone text, first_name text, last_name text, title text, company text, country text, timezone text,
        traits jsonb, identified_at timestamptz, first_seen timestamptz, last_seen timestamptz)
      join contacts c0 on c0.workspace_id = ${workspaceId}::uuid and c0.id = t.id
    ) as p
    where c.workspace_id = ${workspaceId}::uuid and c.id = p.id`.execute(db);
}

export async function selectContact(db: Q, workspaceId: string, id: string): Promise<ContactRow | undefined> {
  return db
    .selectFrom('contacts')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
}

/**
 * Folds `loserId` into `winnerId`: the winner keeps its values and takes the loser's
 * where it has none; account links move. Returns the loser as it was.
 */
export async function mergeContactRows(db: Q, workspaceId: string, winnerId: string, loserId: string): Promise<ContactRow | undefined> {
  const loser = await selectContact(db, workspaceId, loserId);
  if (!loser) return undefined;
  await sql`
    update contacts w set
      email = coalesce(w.email, l.email), phone = coalesce(w.phone, l.phone),
      first_name = coalesce(w.first_name, l.first_name), last_name = coalesce(w.last_name, l.last_name),
      title = coalesce(w.title, l.title), company = coalesce(w.company, l.company),
      country = coalesce(w.country, l.country), timezone = coalesce(w.timezone, l.timezone),
      traits = l.traits || w.traits,
      created_at = least(w.created_at, l.created_at),
      first_seen_at = least(w.first_seen_at, l.first_seen_at),
      last_seen_at = greatest(w.last_seen_at, l.last_seen_at),
      updated_at = now()
    from contacts l
    where w.workspace_id = ${workspaceId}::uuid and w.id = ${winnerId}::uuid
      and l.workspace_id = ${workspaceId}::uuid and l.id = ${loserId}::uuid`.execute(db);
  await sql`
    insert into contact_accounts (workspace_id, contact_id, account_id, created_at)
    select workspace_id, ${winnerId}::uuid, account_id, created_at from contact_accounts
    where workspace_id = ${workspaceId}::uuid and contact_id = ${loserId}::uuid
    on conflict do nothing`.execute(db);
  await db.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', '=', loserId).execute();
  return loser;
}

export async function insertContactAccountLinks(db: Q, workspaceId: string, links: Array<{ contactId: string; accountId: string }>): Promise<void> {
  if (links.length === 0) return;
  await sql`
    insert into contact_accounts (workspace_id, contact_id, account_id)
    select ${workspaceId}::uuid, c, a from unnest(${links.map((l) => l.contactId)}::uuid[], ${links.map((l) => l.accountId)}::uuid[]) as t(c, a)
    on conflict do nothing`.execute(db);
}

export interface ContactFilter {
  email?: string | undefined;
  q?: string | undefined;
  traits?: Record<string, string> | undefined;
  accountId?: string | undefined;
  limit: number;
  after?: { createdAt: string; id: string } | undefined;
}

function jsonLiteralVariant(key: string, value: string): string[] {
  if (!/^(-?\d+(\.\d+)?|true|false|null)$/.test(value)) return [];
  return [JSON.stringify({ [key]: JSON.parse(value) as unknown })];
}

/** Keyset-paginated contacts, newest first; returns limit + 1 rows to signal a next page. */
export async function selectContacts(db: Q, workspaceId: string, f: ContactFilter): Promise<Array<Omit<ContactRow, 'workspace_id'>>> {
  let query = db.selectFrom('contacts as c').select(CONTACT_COLUMNS.map((c) => `c.${c}` as const)).where('c.workspace_id', '=', workspaceId);
  if (f.email) query = query.where(sql<boolean>`lower(c.email) = ${f.email.trim().toLowerCase()}`);
  if (f.q) {
    const pattern = `%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    query = query.where(sql<boolean>`(c.email ilike ${pattern} or c.first_name ilike ${pattern} or c.last_name ilike ${pattern}
      or (coalesce(c.first_name, '') || ' ' || coalesce(c.last_name, '')) ilike ${pattern} or c.company ilike ${pattern})`);
  }
  for (const [key, value] of Object.entries(f.traits ?? {})) {
    // Query strings carry text; the trait may hold 5000 or true, so match the JSON literal too.
    // An OR of @> (not @> any(...)) so that the GIN index on traits serves each side.
    const variants = [JSON.stringify({ [key]: value }), ...jsonLiteralVariant(key, value)];
    query = query.where(sql<boolean>`(${sql.join(variants.map((v) => sql`c.traits @> ${v}::jsonb`), sql` or `)})`);
  }
  if (f.accountId) {
    query = query.where((eb) =>
      eb.exists(
        eb.selectFrom('contact_accounts as ca').select(sql`1`.as('one'))
          .whereRef('ca.workspace_id', '=', 'c.workspace_id').whereRef('ca.contact_id', '=', 'c.id')
          .where('ca.account_id', '=', f.accountId!),
      ),
    );
  }
  if (f.after) query = query.where(sql<boolean>`(c.created_at, c.id) < (${f.after.createdAt}::timestamptz, ${f.after.id}::uuid)`);
  return query.orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').limit(f.limit + 1).execute();
}

export async function selectAccountsOfContact(db: Q, workspaceId: string, contactId: string) {
  return db
    .selectFrom('contact_accounts as ca')
    .innerJoin('accounts as a', (j) => j.onRef('a.workspace_id', '=', 'ca.workspace_id').onRef('a.id', '=', 'ca.account_id'))
    .select(['a.id', 'a.name', 'a.domain', 'a.external_id'])
    .where('ca.workspace_id', '=', workspaceId)
    .where('ca.contact_id', '=', contactId)
    .orderBy('a.name')
    .execute();
}

export async function countContacts(db: Q, workspaceId: string): Promise<{ total: number; known: number }> {
  const row = await sql<{ total: number; known: number }>`
    select count(*)::int as total,
      count(*) filter (where exists (
        select 1 from identities i where i.workspace_id = c.workspace_id and i.contact_id = c.id and i.kind in ('user_id', 'email')))::int as known
    from contacts c where c.workspace_id = ${workspaceId}::uuid`.execute(db);
  return row.rows[0] ?? { total: 0, known: 0 };
}

/** Contacts holding an email, on the row or as an identity (privacy requests). */
export async function selectContactIdsByEmail(db: Q, workspaceId: string, email: string): Promise<string[]> {
  const result = await sql<{ id: string }>`
    select id from contacts where workspace_id = ${workspaceId}::uuid and lower(email) = ${email}
    union
    select contact_id from identities where workspace_id = ${workspaceId}::uuid and kind = 'email' and value = ${email}`.execute(db);
  return result.rows.map((r) => r.id);
}

/** Erasure: the rows go; identities and account links follow through the cascade. */
export async function deleteContactRows(db: Q, workspaceId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', 'in', ids).executeTakeFirst();
  return Number(result.numDeletedRows);
}
