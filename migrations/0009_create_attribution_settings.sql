-- Attribution settings of a workspace: the YAML as saved (channel grouping rules and
-- declared conversions, schema schemas/attribution.schema.json). No row: the defaults.
create table attribution_settings (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  yaml text not null,
  updated_at timestamptz not null default now(),
  primary key (workspace_id)
);
