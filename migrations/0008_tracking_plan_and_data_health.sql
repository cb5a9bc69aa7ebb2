-- Tracking plans (versioned per workspace), what they find in the event stream, and the
-- daily data-health snapshots that give the health report its trend.

-- Every applied version is kept: the newest one is the plan in force.
create table tracking_plans (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  version integer not null check (version > 0),
  source_yaml text not null,
  -- The parsed plan, as the zod schema returned it (what the validators compile from).
  plan jsonb not null,
  applied_at timestamptz not null default now(),
  applied_by text not null,
  primary key (workspace_id, version)
);

-- One row per flagged or blocked event and rule broken. Allowed rules write nothing here.
create table tracking_plan_violations (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  recorded_at timestamptz not null default now(),
  plan_version integer not null,
  message_id text not null,
  event_type text not null,
  event_name text,
  event_timestamp timestamptz not null,
  -- 'required', 'type', 'enum', 'pattern', 'min', 'max', 'unknown_event', 'unknown_property', 'unknown_trait'
  rule text not null,
  -- Where the rule applies: 'track:Demo Requested', 'identify', 'group'.
  subject text not null,
  field text,
  value text,
  reason text not null,
  action text not null check (action in ('flag', 'block')),
  primary key (workspace_id, id)
);

create index tracking_plan_violations_rule_idx on tracking_plan_violations (workspace_id, rule, id desc);

-- Counts per day, rule and subject (for trends), including rules set to 'count'.
create table tracking_plan_violation_counts (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  day date not null,
  rule text not null,
  subject text not null,
  action text not null check (action in ('count', 'flag', 'block')),
  violations bigint not null default 0,
  primary key (workspace_id, day, rule, subject, action)
);

-- Events checked against a plan and events with at least one violation, per day: the
-- denominator of the health report's conformance share.
create table tracking_plan_daily (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  day date not null,
  checked bigint not null default 0,
  violating bigint not null default 0,
  blocked bigint not null default 0,
  primary key (workspace_id, day)
);

-- Events, properties and traits the plan does not declare: always reported, whatever the
-- rule's action, with how often they were seen and the latest example.
create table tracking_plan_unknowns (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  kind text not null check (kind in ('event', 'property', 'trait')),
  -- 'track:Some Event', 'track:Demo Requested.some_property', 'identify.someTrait'
  name text not null,
  seen bigint not null default 0,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  example_message_id text not null,
  example_value text,
  primary key (workspace_id, kind, name)
);

-- The health report's figures, one row per workspace and day.
create table data_health_snapshots (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  day date not null,
  taken_at timestamptz not null default now(),
  score numeric(5, 1) not null,
  figures jsonb not null,
  primary key (workspace_id, day)
);
