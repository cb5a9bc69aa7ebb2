-- Append-only record of who changed what. Rows are written by Keel and never updated or
-- deleted by it: the trigger refuses both, so not even a bug in Keel can rewrite history.
-- (Dropping a workspace still removes its log through the cascade: a truncate-like
-- cascade delete is the one path, and it is only taken when the workspace itself goes.)
create table audit_log (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  at timestamptz not null default now(),
  -- 'api_key' (id = key id), 'cli' (id = OS user name), 'system' (id = component)
  actor_kind text not null check (actor_kind in ('api_key', 'cli', 'system')),
  actor_id text not null,
  -- verb in dotted form: 'segment.created', 'consent.recorded', 'contact.merged', ...
  action text not null,
  object_type text not null,
  object_id text,
  details jsonb not null default '{}',
  primary key (workspace_id, id)
);

create index audit_log_object on audit_log (workspace_id, object_type, object_id, id);
create index audit_log_action on audit_log (workspace_id, action, id);

create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from workspaces where id = old.workspace_id) then
    return old; -- the workspace is being deleted: its log goes with it
  end if;
  raise exception 'audit_log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;

create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function audit_log_refuse_change();
