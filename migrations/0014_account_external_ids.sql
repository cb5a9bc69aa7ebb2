-- External ids an account answers to besides its own column: those of the accounts merged
-- into it (and its own former one when survivorship kept the other's). An import or group
-- call naming one of them lands on the survivor instead of creating a new account; undoing
-- the merge that added an id removes it, and the restored account takes its id back.
create table account_external_ids (
  workspace_id uuid not null,
  external_id text not null,
  account_id uuid not null,
  -- The account merge that added this id (account_merges.id).
  merge_id bigint not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, external_id),
  foreign key (workspace_id, account_id) references accounts (workspace_id, id) on delete cascade
);
create index account_external_ids_account_idx on account_external_ids (workspace_id, account_id);
create index account_external_ids_merge_idx on account_external_ids (workspace_id, merge_id);
