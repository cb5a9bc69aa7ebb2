-- Dedupe and merge: the review queue of candidate pairs, each run's figures and model,
-- per-workspace settings (thresholds, survivorship rules), account merges, and what
-- every contact merge needs to be undone exactly.

-- Merges become undoable: the survivor as it was, the field values the merge chose, and
-- the keys of every row it moved (per table), so that undo moves exactly those back.
alter table contact_merges add column winner_snapshot jsonb;
alter table contact_merges add column field_changes jsonb not null default '{}'::jsonb;
alter table contact_merges add column moved_rows jsonb not null default '{}'::jsonb;
alter table contact_merges add column undone_at timestamptz;
alter table contact_merges add column undone_by text;

create table account_merges (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  winner_id uuid not null,
  loser_id uuid not null,
  reason text not null,
  winner_snapshot jsonb not null,
  loser_snapshot jsonb not null,
  field_changes jsonb not null default '{}'::jsonb,
  moved_rows jsonb not null default '{}'::jsonb,
  merged_at timestamptz not null default now(),
  undone_at timestamptz,
  undone_by text,
  primary key (workspace_id, id)
);
create index account_merges_winner_idx on account_merges (workspace_id, winner_id);
create index account_merges_loser_idx on account_merges (workspace_id, loser_id);

create table dedupe_runs (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  entity text not null check (entity in ('contact', 'account')),
  dry_run boolean not null,
  records integer not null,
  candidate_pairs bigint not null,
  all_pairs numeric not null,
  auto_merged integer not null,
  queued integer not null,
  -- Fitted Fellegi-Sunter parameters (fields, m, u, lambda) and the thresholds applied.
  model jsonb not null,
  thresholds jsonb not null,
  millis integer not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id)
);

-- Pairs between the two thresholds wait here for a person; auto-merged pairs are kept
-- too (status 'merged') so that every merge can be traced to its evidence.
create table dedupe_pairs (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  entity text not null check (entity in ('contact', 'account')),
  -- record_a < record_b, so that a pair has one row whichever run found it.
  record_a uuid not null,
  record_b uuid not null,
  run_id bigint not null,
  probability double precision not null,
  weight double precision not null,
  -- Per field: level, weight (log2 m/u), the two normalized values compared.
  evidence jsonb not null,
  status text not null check (status in ('pending', 'merged', 'rejected', 'stale')),
  merge_id bigint,
  decided_at timestamptz,
  decided_by text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, run_id) references dedupe_runs (workspace_id, id) on delete cascade
);
create unique index dedupe_pairs_pair_idx on dedupe_pairs (workspace_id, entity, record_a, record_b);
create index dedupe_pairs_queue_idx on dedupe_pairs (workspace_id, entity, status, probability desc, id);

create table dedupe_settings (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- Thresholds and survivorship rules; validated by the zod schema in features/dedupe.
  settings jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (workspace_id)
);
