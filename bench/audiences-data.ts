// Bulk loader for the audiences bench: contacts, accounts and events shaped like the demo
// generator's (titles, seniorities, industries, log-uniform company sizes, page and track
// events over 180 days), written with insert ... select from generate_series in SQL.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../src/platform/db/schema.ts';

const TITLES = [
  ['Chief Marketing Officer', 'C-level', 'Marketing'], ['CFO', 'C-level', 'Finance'], ['VP Marketing', 'VP', 'Marketing'], ['VP Sales', 'VP', 'Sales'],
  ['VP Finance', 'VP', 'Finance'], ['Director of Marketing', 'Director', 'Marketing'], ['Director of Demand Generation', 'Director', 'Marketing'],
  ['Director of IT', 'Director', 'IT'], ['Head of Growth', 'Director', 'Marketing'], ['Marketing Ops Manager', 'Manager', 'Marketing'],
  ['Demand Generation Manager', 'Manager', 'Marketing'], ['Content Marketing Manager', 'Manager', 'Marketing'], ['Marketing Operations Specialist', 'Individual Contributor', 'Marketing'],
  ['Sales Development Representative', 'Individual Contributor', 'Sales'], ['Software Engineer', 'Individual Contributor', 'Engineering'],
];
const INDUSTRIES = ['Software', 'Financial Services', 'Healthcare', 'Manufacturing', 'Retail', 'Logistics', 'Education', 'Media'];
const COUNTRIES = ['US', 'US', 'US', 'GB', 'DE', 'FR', 'NL', 'SE', 'CA', 'AU'];
// Event names and weights from the demo generator (pages by name, then track events).
const EVENTS: Array<[string, string, number]> = [
  ['page', 'Home', 14], ['page', 'Pricing', 10], ['page', 'Blog', 9], ['page', 'Attribution', 7], ['page', 'Journeys', 6], ['page', 'Careers', 1],
  ['page', 'Resources', 3], ['page', 'Webinars', 2], ['track', 'Email Opened', 14], ['track', 'Email Link Clicked', 5], ['track', 'Form Submitted', 3],
  ['track', 'Content Downloaded', 3], ['track', 'Webinar Registered', 2], ['track', 'Webinar Attended', 1.5], ['track', 'Demo Requested', 0.5], ['track', 'Trial Started', 0.3],
];

export interface BenchScale {
  contacts: number;
  eventsPerContact: number;
}

export async function countRows(db: Kysely<Database>, workspaceId: string) {
  const r = await sql<{ contacts: string; events: string }>`select (select count(*) from contacts where workspace_id = ${workspaceId}::uuid) as contacts,
    (select count(*) from events where workspace_id = ${workspaceId}::uuid) as events`.execute(db);
  return { contacts: Number(r.rows[0]!.contacts), events: Number(r.rows[0]!.events) };
}

// Tables the loader fills in bulk. Their secondary indexes (and the events primary key, which
// nothing references) are dropped before the load and rebuilt after: at 1M contacts / 20M
// events, maintaining five btrees row by row was the bottleneck; one sort per index is not.
const BULK_TABLES = ['contacts', 'contact_accounts', 'events'];

interface DroppedIndex {
  table: string;
  name: string;
  /** `create index ...`, or `alter table ... add constraint ...` for a primary key. */
  rebuild: string;
}

async function dropBulkIndexes(db: Kysely<Database>): Promise<DroppedIndex[]> {
  const r = await sql<DroppedIndex & { constraint_name: string | null }>`
    select t.relname as table, ic.relname as name, con.conname as constraint_name,
      case when con.oid is null then pg_get_indexdef(i.indexrelid)
        else format('alter table %I add constraint %I %s', t.relname, con.conname, pg_get_constraintdef(con.oid)) end as rebuild
    from pg_index i
    join pg_class t on t.oid = i.indrelid
    join pg_class ic on ic.oid = i.indexrelid
    left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = t.oid
    where t.relnamespace = 'public'::regnamespace and t.relname = any(${BULK_TABLES}::text[])
      and (con.oid is null or (t.relname = 'events' and con.contype = 'p'))`.execute(db);
  for (const row of r.rows) {
    if (row.constraint_name) await sql`alter table ${sql.table(row.table)} drop constraint ${sql.ref(row.constraint_name)}`.execute(db);
    else await sql`drop index ${sql.ref(row.name)}`.execute(db);
  }
  return r.rows.map(({ table, name, rebuild }) => ({ table, name, rebuild }));
}

/**
 * Loads accounts (one per 10 contacts), contacts with traits and links, then events in
 * slices, into tables whose secondary indexes are dropped for the load and rebuilt after
 * (also when the load fails, so the bench database never stays without them).
 */
export async function loadBenchData(db: Kysely<Database>, workspaceId: string, scale: BenchScale, anchor: Date, log: (s: string) => void): Promise<void> {
  // One connection for the whole load, so that the session settings hold for every statement.
  await db.connection().execute(async (conn) => {
    const pid = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
    log(`loading on backend pid ${pid.rows[0]!.pid}`);
    await sql`set maintenance_work_mem = '1GB'`.execute(conn);
    await sql`set synchronous_commit = off`.execute(conn);
    let started = performance.now();
    const dropped = await dropBulkIndexes(conn);
    log(`dropped ${dropped.map((d) => d.name).join(', ')} for the load`);
    try {
      await loadRows(conn, workspaceId, scale, anchor, log);
      log(`rows loaded in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    } finally {
      for (const index of dropped) {
        started = performance.now();
        await sql.raw(index.rebuild).execute(conn);
        log(`rebuilt ${index.name} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    }
    started = performance.now();
    // Analyze for the planner, vacuum for the visibility map (index-only scans), as
    // autovacuum would have done on a table loaded over time.
    for (const table of ['accounts', 'contacts', 'contact_accounts', 'events', 'opportunities']) await sql`vacuum analyze ${sql.table(table)}`.execute(conn);
    log(`vacuum analyze in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
}

async function loadRows(db: Kysely<Database>, workspaceId: string, scale: BenchScale, anchor: Date, log: (s: string) => void): Promise<void> {
  const accounts = Math.max(1, Math.round(scale.contacts / 10));
  const titles = JSON.stringify(TITLES);
  await sql`select setseed(0.42)`.execute(db);
  await sql`insert into accounts (workspace_id, id, external_id, domain, name, industry, employees, country, traits)
    select ${workspaceId}::uuid, md5('a' || g)::uuid, 'acct-' || g, 'company' || g || '.example', 'Company ' || g,
      (${INDUSTRIES}::text[])[1 + (g % ${INDUSTRIES.length})], round(exp(ln(5) + random() * (ln(50000) - ln(5))))::int,
      (${COUNTRIES}::text[])[1 + (g % ${COUNTRIES.length})], jsonb_build_object('plan', (array['free','pro','enterprise'])[1 + g % 3])
    from generate_series(1, ${accounts}::int) g`.execute(db);
  log(`accounts: ${accounts}`);
  for (let from = 1; from <= scale.contacts; from += 250_000) {
    const to = Math.min(scale.contacts, from + 249_999);
    await sql`insert into contacts (workspace_id, id, email, first_name, title, country, traits, first_seen_at, last_seen_at, created_at)
      select ${workspaceId}::uuid, md5('c' || g)::uuid, 'person' || g || (case when g % 7 = 0 then '@gmail.com' else '@company' || (1 + g % ${accounts}::int) || '.example' end),
        'P' || g, t->>0, (${COUNTRIES}::text[])[1 + (g % ${COUNTRIES.length})],
        jsonb_build_object('seniority', t->>1, 'department', t->>2, 'seats', (g % 200)),
        ${anchor.toISOString()}::timestamptz - make_interval(days => 30 + (g % 150)), ${anchor.toISOString()}::timestamptz - make_interval(days => g % 90),
        ${anchor.toISOString()}::timestamptz - make_interval(days => 30 + (g % 150))
      from generate_series(${from}::int, ${to}::int) g, lateral (select (${titles}::jsonb) -> (g % ${TITLES.length}) as t) x`.execute(db);
    await sql`insert into contact_accounts (workspace_id, contact_id, account_id)
      select ${workspaceId}::uuid, md5('c' || g)::uuid, md5('a' || (1 + g % ${accounts}::int))::uuid
      from generate_series(${from}::int, ${to}::int) g where g % 7 <> 0`.execute(db);
    log(`contacts: ${to}`);
  }
  await loadEvents(db, workspaceId, scale, anchor, log);
  await sql`insert into opportunities (workspace_id, account_id, name, amount, currency, stage, is_closed, is_won, created_date, closed_date)
    select ${workspaceId}::uuid, md5('a' || g)::uuid, 'Deal ' || g, 10000 + (g % 90) * 1000, 'USD',
      (array['Discovery','Closed Won','Closed Lost'])[1 + g % 3], g % 3 <> 0, g % 3 = 1,
      ${anchor.toISOString()}::timestamptz - make_interval(days => 60 + g % 100), case when g % 3 <> 0 then ${anchor.toISOString()}::timestamptz - make_interval(days => g % 50) end
    from generate_series(1, ${accounts}::int, 5) g`.execute(db);
}

async function loadEvents(db: Kysely<Database>, workspaceId: string, scale: BenchScale, anchor: Date, log: (s: string) => void): Promise<void> {
  const total = scale.contacts * scale.eventsPerContact;
  const weights = EVENTS.map((e) => e[2]);
  const sum = weights.reduce((a, b) => a + b, 0);
  const cumulative = weights.map((_, i) => weights.slice(0, i + 1).reduce((a, b) => a + b, 0) / sum);
  const slice = 1_000_000;
  for (let from = 1; from <= total; from += slice) {
    const to = Math.min(total, from + slice - 1);
    // A skewed pick of contacts (engaged people send more events) and a weighted event kind.
    await sql`insert into events (workspace_id, message_id, type, name, contact_id, user_id, properties, "timestamp", received_at)
      select ${workspaceId}::uuid, 'b-' || g, (${EVENTS.map((e) => e[0])}::text[])[k], (${EVENTS.map((e) => e[1])}::text[])[k],
        md5('c' || c)::uuid, 'u' || c,
        case when (${EVENTS.map((e) => e[1])}::text[])[k] = 'Webinar Attended' then jsonb_build_object('webinar_id', 'w' || (g % 12), 'duration_minutes', g % 60) else '{}'::jsonb end,
        ts, ts
      from (
        select g, 1 + floor(power(random(), 2) * ${scale.contacts}::int)::int as c,
          (select count(*) from unnest(${cumulative}::float8[]) w where w < r)::int + 1 as k,
          ${anchor.toISOString()}::timestamptz - make_interval(secs => random() * 180 * 86400) as ts
        from (select g, random() as r from generate_series(${from}::bigint, ${to}::bigint) g) s
      ) e`.execute(db);
    log(`events: ${to.toLocaleString('en-US')} / ${total.toLocaleString('en-US')}`);
  }
}
