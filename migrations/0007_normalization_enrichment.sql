-- Normalization and enrichment: field validation issues, enrichment settings, external
-- provider configuration and the provider response cache.

-- A value that failed its check on the way in (an e-mail that is no address, a phone
-- number that is no number). The raw value stays a trait on the contact or account; this
-- row says which field, what value, and why, so that data health can count validity.
-- One row per object and field: the latest failure; a later valid value removes it.
create table field_validation_issues (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  object_type text not null check (object_type in ('contact', 'account')),
  object_id uuid not null,
  field text not null,
  value text not null,
  reason text not null,
  -- where the value came from: 'ingest', 'import', 'api'
  source text not null,
  detected_at timestamptz not null default now(),
  primary key (workspace_id, object_type, object_id, field)
);
create index field_validation_issues_field_idx on field_validation_issues (workspace_id, object_type, field);

create table enrichment_settings (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- Create an account for a business e-mail domain no account has yet.
  create_accounts_from_email_domain boolean not null default false,
  -- Free-mail domains beyond the maintained list (regional providers, test domains).
  extra_free_mail_domains text[] not null default '{}',
  updated_at timestamptz not null default now(),
  primary key (workspace_id)
);

-- External enrichment providers (the generic HTTP provider's configuration).
create table enrichment_providers (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  name text not null,
  kind text not null check (kind in ('http')),
  config jsonb not null,
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, name)
);

-- Provider answers by lookup key (a domain, an e-mail), so that a re-run within the TTL
-- costs no request. 'miss' rows cache "the provider knows nothing" too.
create table enrichment_cache (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  provider text not null,
  lookup_key text not null,
  status text not null check (status in ('hit', 'miss')),
  response jsonb not null default '{}'::jsonb,
  fetched_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (workspace_id, provider, lookup_key)
);
