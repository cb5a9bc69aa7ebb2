import { sql, type Kysely } from 'kysely';
import { comparableValue } from '../../platform/db/comparable-value.ts';
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

/** The contact columns a merge decides between the two records (survivorship). */
export const MERGEABLE_CONTACT_COLUMNS = [
  'email', 'phone', 'first_name', 'last_name', 'title', 'company', 'country', 'timezone',
  'traits', 'traits_updated_at', 'created_at', 'first_seen_at', 'last_seen_at',
] as const;
export type MergeableContactColumn = (typeof MERGEABLE_CONTACT_COLUMNS)[number];
export type ContactValues = Pick<ContactRow, MergeableContactColumn>;
/** Per changed column: the survivor's value before the merge and the value the merge set. */
export type ContactFieldChanges = Partial<Record<MergeableContactColumn, { before: unknown; after: unknown }>>;

/** The default merge of two contacts (identity resolution): the winner keeps its values and takes the loser's where it has none. */
export function chooseWinnerFirst(winner: ContactRow, loser: ContactRow): ContactValues {
  const min = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));
  const max = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));
  return {
    email: winner.email ?? loser.email,
    phone: winner.phone ?? loser.phone,
    first_name: winner.first_name ?? loser.first_name,
    last_name: winner.last_name ?? loser.last_name,
    title: winner.title ?? loser.title,
    company: winner.company ?? loser.company,
    country: winner.country ?? loser.country,
    timezone: winner.timezone ?? loser.timezone,
    traits: { ...loser.traits, ...winner.traits },
    traits_updated_at: max(winner.traits_updated_at, loser.traits_updated_at),
    created_at: min(winner.created_at, loser.created_at)!,
    first_seen_at: min(winner.first_seen_at, loser.first_seen_at),
    last_seen_at: max(winner.last_seen_at, loser.last_seen_at),
  };
}

const comparable = comparableValue;

/**
 * Folds `loserId` into `winnerId`: the winner takes `chosen` (computed by the caller's
 * survivorship rules; by default winner first) and the loser's row is deleted. Rows that
 * reference the loser must have been moved before (see identity's CONTACT_REFERENCES).
 * Returns both records as they were and the columns the merge changed on the winner.
 */
export async function mergeContactRows(
  db: Q,
  workspaceId: string,
  winnerId: string,
  loserId: string,
  choose: (winner: ContactRow, loser: ContactRow) => ContactValues = chooseWinnerFirst,
): Promise<{ winner: ContactRow; loser: ContactRow; changes: ContactFieldChanges } | undefined> {
  const winner = await selectContact(db, workspaceId, winnerId);
  const loser = await selectContact(db, workspaceId, loserId);
  if (!winner || !loser) return undefined;
  const chosen = choose(winner, loser);
  const changes: ContactFieldChanges = {};
  for (const column of MERGEABLE_CONTACT_COLUMNS) {
    if (comparable(winner[column]) !== comparable(chosen[column])) changes[column] = { before: winner[column], after: chosen[column] };
  }
  await db.deleteFrom('contacts').where('workspace_id', '=', workspaceId).where('id', '=', loserId).execute();
  await updateContactValues(db, workspaceId, winnerId, Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.after])));
  return { winner, loser, changes };
}

async function updateContactValues(db: Q, workspaceId: string, id: string, values: Record<string, unknown>): Promise<void> {
  if (Object.keys(values).length === 0) return;
  const set = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, k === 'traits' ? JSON.stringify(v) : v]));
  await db.updateTable('contacts').set({ ...set, updated_at: new Date() }).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

/**
 * Undoes a merge's field changes on the survivor: each column goes back to its value
 * before the merge, unless it changed again since (then the newer value is kept).
 */
export async function revertContactFields(db: Q, workspaceId: string, id: string, changes: ContactFieldChanges): Promise<string[]> {
  const current = await selectContact(db, workspaceId, id);
  if (!current) return [];
  const revert: Record<string, unknown> = {};
  const kept: string[] = [];
  for (const [column, change] of Object.entries(changes) as Array<[MergeableContactColumn, { before: unknown; after: unknown }]>) {
    if (comparable(current[column]) === comparable(change.after)) revert[column] = change.before;
    else kept.push(column);
  }
  await updateContactValues(db, workspaceId, id, revert);
  return kept;
}

/** Puts a merged-away contact back, with its id, from the merge's snapshot. */
export async function reinsertContactRow(db: Q, workspaceId: string, snapshot: ContactRow): Promise<void> {
  const { workspace_id: _, ...row } = snapshot;
  await db.insertInto('contacts').values({ ...row, traits: JSON.stringify(snapshot.traits), workspace_id: workspaceId }).execute();
}

/** Gives the winner the loser's account links; returns each link and whether the winner already had it. */
export async function moveContactAccountLinks(db: Q, workspaceId: string, fromContact: string, toContact: string) {
  const links = await sql<{ account_id: string; created_at: Date; winner_had: boolean }>`
    select l.account_id, l.created_at, exists (
      select 1 from contact_accounts w where w.workspace_id = l.workspace_id and w.contact_id = ${toContact}::uuid and w.account_id = l.account_id) as winner_had
    from contact_accounts l where l.workspace_id = ${workspaceId}::uuid and l.contact_id = ${fromContact}::uuid
    order by l.account_id`.execute(db);
  await sql`
    insert into contact_accounts (workspace_id, contact_id, account_id, created_at)
    select workspace_id, ${toContact}::uuid, account_id, created_at from contact_accounts
    where workspace_id = ${workspaceId}::uuid and contact_id = ${fromContact}::uuid
    on conflict do nothing`.execute(db);
  await db.deleteFrom('contact_accounts').where('workspace_id', '=', workspaceId).where('contact_id', '=', fromContact).execute();
  return links.rows.map((l) => ({ account_id: l.account_id, created_at: new Date(l.created_at).toISOString(), winner_had: l.winner_had }));
}

/** Undoes moveContactAccountLinks: the loser gets its links back, the winner loses those it did not have. */
export async function restoreContactAccountLinks(db: Q, workspaceId: string, links: Array<{ account_id: string; created_at: string; winner_had: boolean }>, winner: string, loser: string) {
  if (links.length === 0) return;
  await sql`
    insert into contact_accounts (workspace_id, contact_id, account_id, created_at)
    select ${workspaceId}::uuid, ${loser}::uuid, a, c from unnest(${links.map((l) => l.account_id)}::uuid[], ${links.map((l) => l.created_at)}::timestamptz[]) as t(a, c)
    join accounts acc on acc.workspace_id = ${workspaceId}::uuid and acc.id = t.a
    on conflict do nothing`.execute(db);
  const added = links.filter((l) => !l.winner_had).map((l) => l.account_id);
  if (added.length > 0) {
    await db.deleteFrom('contact_accounts').where('workspace_id', '=', workspaceId).where('contact_id', '=', winner).where('account_id', 'in', added).execute();
  }
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

export interface ContactCore {
  id: string;
  email: string | null;
  phone: string | null;
  title: string | null;
  company: string | null;
  country: string | null;
  timezone: string | null;
  traits: Record<string, unknown>;
}

/** Core columns of the given contacts, or (without ids) a page of all contacts by id. */
export async function selectContactCores(db: Q, workspaceId: string, page: { ids?: string[]; afterId?: string | undefined; limit?: number }): Promise<ContactCore[]> {
  let query = db
    .selectFrom('contacts')
    .select(['id', 'email', 'phone', 'title', 'company', 'country', 'timezone', 'traits'])
    .where('workspace_id', '=', workspaceId);
  if (page.ids) {
    if (page.ids.length === 0) return [];
    query = query.where('id', 'in', page.ids);
  }
  if (page.afterId) query = query.where('id', '>', page.afterId);
  return query.orderBy('id').limit(page.limit ?? 1000).execute();
}

/**
 * Sets traits on many contacts in one statement: the keys in `removeKeys` are dropped
 * first, then `traits` merged in (so a value that no longer applies disappears).
 */
export async function updateContactTraits(db: Q, workspaceId: string, rows: Array<{ id: string; traits: Record<string, unknown> }>, removeKeys: readonly string[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    update contacts c set traits = (c.traits - ${[...removeKeys]}::text[]) || t.traits
    from unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => JSON.stringify(r.traits))}::jsonb[]) as t(id, traits)
    where c.workspace_id = ${workspaceId}::uuid and c.id = t.id`.execute(db);
}

/** Contacts by id (any order); ids not in the workspace are absent. */
export async function selectContactsByIds(db: Q, workspaceId: string, ids: string[]): Promise<ContactRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
}

/** What dedupe compares of every contact of a workspace, oldest first (by first event, else creation). */
export async function selectContactMatchRows(db: Q, workspaceId: string) {
  const result = await sql<{
    id: string; first_name: string | null; last_name: string | null; email: string | null; phone: string | null;
    company: string | null; city: string | null; country: string | null; created_at: Date;
  }>`
    select id, first_name, last_name, email, phone, company, traits->>'city' as city, country,
      least(coalesce(first_seen_at, created_at), created_at) as created_at
    from contacts c where workspace_id = ${workspaceId}::uuid
      and (email is not null or phone is not null or first_name is not null or last_name is not null)
    order by created_at, id`.execute(db);
  return result.rows;
}

/** Account side of contact_accounts: the loser account's contacts join the winner account. */
export async function moveAccountContactLinks(db: Q, workspaceId: string, fromAccount: string, toAccount: string) {
  const links = await sql<{ contact_id: string; created_at: Date; winner_had: boolean }>`
    select l.contact_id, l.created_at, exists (
      select 1 from contact_accounts w where w.workspace_id = l.workspace_id and w.account_id = ${toAccount}::uuid and w.contact_id = l.contact_id) as winner_had
    from contact_accounts l where l.workspace_id = ${workspaceId}::uuid and l.account_id = ${fromAccount}::uuid
    order by l.contact_id`.execute(db);
  await sql`
    insert into contact_accounts (workspace_id, contact_id, account_id, created_at)
    select workspace_id, contact_id, ${toAccount}::uuid, created_at from contact_accounts
    where workspace_id = ${workspaceId}::uuid and account_id = ${fromAccount}::uuid
    on conflict do nothing`.execute(db);
  await db.deleteFrom('contact_accounts').where('workspace_id', '=', workspaceId).where('account_id', '=', fromAccount).execute();
  return links.rows.map((l) => ({ contact_id: l.contact_id, created_at: new Date(l.created_at).toISOString(), winner_had: l.winner_had }));
}

export async function restoreAccountContactLinks(db: Q, workspaceId: string, links: Array<{ contact_id: string; created_at: string; winner_had: boolean }>, winner: string, loser: string) {
  if (links.length === 0) return;
  await sql`
    insert into contact_accounts (workspace_id, contact_id, account_id, created_at)
    select ${workspaceId}::uuid, t.c, ${loser}::uuid, t.at from unnest(${links.map((l) => l.contact_id)}::uuid[], ${links.map((l) => l.created_at)}::timestamptz[]) as t(c, at)
    join contacts ct on ct.workspace_id = ${workspaceId}::uuid and ct.id = t.c
    on conflict do nothing`.execute(db);
  const added = links.filter((l) => !l.winner_had).map((l) => l.contact_id);
  if (added.length > 0) {
    await db.deleteFrom('contact_accounts').where('workspace_id', '=', workspaceId).where('account_id', '=', winner).where('contact_id', 'in', added).execute();
  }
}

/** Every contact-account link of a workspace (account-based attribution). */
export async function selectContactAccountLinks(db: Q, workspaceId: string): Promise<Array<{ contact_id: string; account_id: string }>> {
  return db.selectFrom('contact_accounts').select(['contact_id', 'account_id']).where('workspace_id', '=', workspaceId).execute();
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

/** Contacts with this phone number (E.164), e.g. the sender of an inbound SMS. */
export async function selectContactIdsByPhone(db: Q, workspaceId: string, phone: string): Promise<string[]> {
  const result = await sql<{ id: string }>`select id from contacts where workspace_id = ${workspaceId}::uuid and phone = ${phone} order by id`.execute(db);
  return result.rows.map((r) => r.id);
}
