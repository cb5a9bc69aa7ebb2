-- Journeys: definitions (versioned), one run per contact entry, one row per step execution.
-- The job queue (pg-boss) keeps its own schema `pgboss`, created and migrated by pg-boss.

create table journeys (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  key text not null,
  name text not null,
  state text not null default 'draft' check (state in ('draft', 'live', 'paused', 'archived')),
  -- The version new entrants get; runs keep the version they entered on.
  current_version integer not null,
  -- Where the trigger scan has read up to (history ids, event ids, last date scan).
  trigger_cursor jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create unique index journeys_key_idx on journeys (workspace_id, key);

create table journey_versions (
  workspace_id uuid not null,
  journey_id uuid not null,
  version integer not null,
  definition jsonb not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, journey_id, version),
  foreign key (workspace_id, journey_id) references journeys (workspace_id, id) on delete cascade
);

create table journey_runs (
  workspace_id uuid not null,
  id uuid not null default gen_random_uuid(),
  journey_id uuid not null,
  version integer not null,
  contact_id uuid not null,
  -- 1 for the contact's first entry into the journey, 2 for the next ...
  entry_no integer not null,
  status text not null check (status in ('active', 'completed', 'exited', 'converted', 'held_out')),
  variant text,
  current_step text,
  -- Step executions so far (the seq of the next journey_step_runs row).
  visits integer not null default 0,
  -- Bumped whenever the run is rescheduled: a job carrying an older token is stale.
  token integer not null default 0,
  wake_at timestamptz,
  waiting_for jsonb,
  trigger jsonb not null default '{}'::jsonb,
  entered_at timestamptz not null,
  updated_at timestamptz not null default now(),
  ended_at timestamptz,
  end_reason text,
  primary key (workspace_id, id),
  foreign key (workspace_id, journey_id, version) references journey_versions (workspace_id, journey_id, version) on delete cascade
);
create unique index journey_runs_entry_idx on journey_runs (workspace_id, journey_id, contact_id, entry_no);
create index journey_runs_status_idx on journey_runs (workspace_id, journey_id, status);
create index journey_runs_contact_idx on journey_runs (workspace_id, contact_id);
-- Runs waiting for an event (until_event waits, goals) are looked up by contact on each event.
create index journey_runs_waiting_idx on journey_runs (workspace_id, contact_id) where status in ('active', 'held_out');

create table journey_step_runs (
  workspace_id uuid not null,
  run_id uuid not null,
  seq integer not null,
  step_id text not null,
  kind text not null,
  status text not null check (status in ('running', 'waiting', 'completed', 'skipped', 'exited', 'converted')),
  -- sent, blocked, deferred, opened ... what a branch may test (`step: { id, result }`).
  result text,
  detail jsonb not null default '{}'::jsonb,
  -- The message's id, derived from (journey, version, run, step, seq): a retry reuses it.
  message_id uuid,
  attempts integer not null default 0,
  lease_until timestamptz,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (workspace_id, run_id, seq),
  foreign key (workspace_id, run_id) references journey_runs (workspace_id, id) on delete cascade
);
create index journey_step_runs_step_idx on journey_step_runs (workspace_id, step_id, status);
