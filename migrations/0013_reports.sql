-- Marketing cost per channel (and campaign) and calendar period, imported from CSV or the
-- API, for the ROI report. campaign '' is a cost of the channel as a whole. The period is
-- [period_start, period_end) in days; importing the same period, channel, campaign and
-- currency again replaces the cost (a corrected file is re-imported as it is).
create table campaign_costs (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  period_start date not null,
  period_end date not null,
  channel text not null,
  campaign text not null default '',
  cost numeric(18, 4) not null check (cost >= 0),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  source text not null,
  imported_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, period_start, period_end, channel, campaign, currency),
  check (period_end > period_start)
);
create index campaign_costs_period_idx on campaign_costs (workspace_id, period_start);
