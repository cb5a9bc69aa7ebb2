-- One row per CSV import: what was asked (kind, file, mapping), where it got to (the
-- last committed batch), and what it wrote. The checkpoint columns are updated in the
-- same transaction as each batch's rows, so after a crash they say exactly what is on
-- disk and `keel import --resume` can go on from there.
create table import_jobs (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  kind text not null check (kind in ('contacts', 'accounts', 'opportunities', 'events')),
  status text not null check (status in ('running', 'completed', 'failed')),
  file_name text not null,
  file_size bigint,
  -- sha256 of the first 64 KiB and the size: a resume refuses a different file
  file_fingerprint text,
  options jsonb not null default '{}',
  mapping jsonb not null default '{}',
  rows_read bigint not null default 0,
  inserted bigint not null default 0,
  updated bigint not null default 0,
  unchanged bigint not null default 0,
  refused bigint not null default 0,
  -- data rows (header excluded) covered by committed batches, and the bytes read then
  rows_committed bigint not null default 0,
  bytes_committed bigint not null default 0,
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (workspace_id, id)
);

create index import_jobs_created on import_jobs (workspace_id, created_at desc, id desc);

-- The rows an import refused and why; written with the batch they belong to, so the
-- error report matches the committed checkpoint exactly.
create table import_refusals (
  workspace_id uuid not null,
  job_id uuid not null,
  row_number bigint not null,
  line bigint,
  column_name text,
  value text,
  reason text not null,
  primary key (workspace_id, job_id, row_number),
  foreign key (workspace_id, job_id) references import_jobs (workspace_id, id) on delete cascade
);
