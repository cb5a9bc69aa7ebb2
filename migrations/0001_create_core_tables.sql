-- Core tables of Keel. Every table is keyed by workspace_id first: tenant isolation,
-- and the distribution column should the schema ever be distributed with Citus.

create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_at timestamptz not null default now()
);

create table api_keys (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id text not null,
  kind text not null check (kind in ('write', 'admin')),
  role text not null check (role in ('ingest', 'admin', 'viewer')),
  name text not null,
  -- sha256 of the whole key; the key itself is shown once and never stored.
  secret_hash text not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (workspace_id, id)
);
-- Keys are looked up by their public id before the workspace is known.
create unique index api_keys_id_idx on api_keys (id);

create table contacts (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  email text,
  phone text,
  first_name text,
  last_name text,
  title text,
  company text,
  country text,
  timezone text,
  traits jsonb not null default '{}'::jsonb,
  -- Event time of the newest identify applied: a late-arriving older identify only fills
  -- gaps and never overwrites newer values.
  traits_updated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  first_seen_at timestamptz,
  last_seen_at timestamptz,
  primary key (workspace_id, id)
);
create index contacts_email_idx on contacts (workspace_id, lower(email));
create index contacts_created_idx on contacts (workspace_id, created_at desc, id desc);
create index contacts_traits_idx on contacts using gin (traits jsonb_path_ops);

create table accounts (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  -- The Segment groupId, or an id from a CRM import.
  external_id text,
  domain text,
  name text,
  industry text,
  employees integer check (employees is null or employees >= 0),
  annual_revenue numeric(20, 2) check (annual_revenue is null or annual_revenue >= 0),
  country text,
  traits jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create unique index accounts_external_id_idx on accounts (workspace_id, external_id);
create index accounts_domain_idx on accounts (workspace_id, domain);
create index accounts_created_idx on accounts (workspace_id, created_at desc, id desc);

create table contact_accounts (
  workspace_id uuid not null,
  contact_id uuid not null,
  account_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, contact_id, account_id),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id) on delete cascade,
  foreign key (workspace_id, account_id) references accounts (workspace_id, id) on delete cascade
);
create index contact_accounts_account_idx on contact_accounts (workspace_id, account_id);

-- Identifiers that resolve to a contact: userId, anonymousId, email.
create table identities (
  workspace_id uuid not null,
  kind text not null check (kind in ('user_id', 'anonymous_id', 'email')),
  value text not null,
  contact_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, kind, value),
  foreign key (workspace_id, contact_id) references contacts (workspace_id, id) on delete cascade
);
create index identities_contact_idx on identities (workspace_id, contact_id);

-- Append-only event store. contact_id is rewritten only when two contacts merge.
create table events (
  workspace_id uuid not null,
  id bigint generated always as identity,
  message_id text not null,
  type text not null check (type in ('identify', 'track', 'page', 'screen', 'group', 'alias')),
  name text,
  contact_id uuid,
  user_id text,
  anonymous_id text,
  group_id text,
  properties jsonb not null default '{}'::jsonb,
  traits jsonb not null default '{}'::jsonb,
  context jsonb not null default '{}'::jsonb,
  page_url text,
  referrer text,
  utm_source text,
  utm_medium text,
  utm_campaign text,
  utm_term text,
  utm_content text,
  "timestamp" timestamptz not null,
  original_timestamp timestamptz,
  sent_at timestamptz,
  received_at timestamptz not null,
  -- messageId is the event's identity (de-duplication); id only orders ties in pages.
  -- One unique index instead of two also spares a write per event.
  primary key (workspace_id, message_id)
);
create index events_contact_time_idx on events (workspace_id, contact_id, "timestamp" desc);
create index events_name_time_idx on events (workspace_id, name, "timestamp" desc);
create index events_time_idx on events (workspace_id, "timestamp" desc);

-- Accepted but not yet processed events: the durable acknowledgement point. One row per
-- request (a JSON array of its valid events), so a 100-event batch costs one row write.
create table ingest_inbox (
  workspace_id uuid not null,
  id bigint generated always as identity,
  received_at timestamptz not null,
  event_count integer not null check (event_count > 0),
  payload text not null,
  primary key (workspace_id, id)
);

create table rejected_events (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  received_at timestamptz not null default now(),
  type text,
  message_id text,
  reason text not null,
  field text,
  -- The event as received, JSON text (kept as text: jsonb refuses NUL characters).
  payload text not null,
  primary key (workspace_id, id)
);
create index rejected_events_time_idx on rejected_events (workspace_id, received_at desc, id desc);

create table contact_merges (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  winner_id uuid not null,
  loser_id uuid not null,
  reason text not null,
  message_id text,
  -- The merged-away contact as it was, so that the merge can be inspected and undone.
  loser_snapshot jsonb not null,
  identities_moved integer not null,
  events_moved integer not null,
  merged_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create index contact_merges_winner_idx on contact_merges (workspace_id, winner_id);
create index contact_merges_loser_idx on contact_merges (workspace_id, loser_id);

-- Identifier clashes that Keel refused to resolve by merging (e.g. two userIds).
create table identity_conflicts (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  message_id text not null,
  kind text not null,
  value text not null,
  contact_id uuid not null,
  other_contact_id uuid not null,
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id)
);

create table opportunities (
  workspace_id uuid not null,
  id uuid not null default gen_random_uuid(),
  account_id uuid not null,
  external_id text,
  name text not null,
  amount numeric(20, 2) not null check (amount >= 0),
  currency char(3) not null,
  stage text not null,
  is_closed boolean not null default false,
  is_won boolean not null default false,
  created_date timestamptz not null,
  closed_date timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id) on delete cascade,
  check (closed_date is null or closed_date >= created_date)
);
create unique index opportunities_external_id_idx on opportunities (workspace_id, external_id);
create index opportunities_account_idx on opportunities (workspace_id, account_id);
create index opportunities_created_idx on opportunities (workspace_id, created_date desc, id desc);
