-- Consent, suppression, messages and privacy requests (issue 4). Every key starts with
-- workspace_id, as everywhere else.

-- Per-workspace settings of sending and privacy: secrets are generated on first use.
create table workspace_policies (
  workspace_id uuid primary key references workspaces (id) on delete cascade,
  -- HMAC key of unsubscribe / preference / confirmation links (hex, 32 bytes).
  signing_secret text not null,
  -- Salt of the email hashes kept for erased people (hex, 32 bytes).
  hash_salt text not null,
  sender_name text,
  sender_email text,
  -- CAN-SPAM: the sender's physical postal address, shown in every marketing email.
  postal_address text,
  unsubscribe_mailbox text,
  -- Texts of the hosted pages (title, intro, ...), merged over the built-in defaults.
  page_texts jsonb not null default '{}'::jsonb,
  max_per_day integer check (max_per_day is null or max_per_day > 0),
  max_per_week integer check (max_per_week is null or max_per_week > 0),
  -- Quiet hours as minutes after midnight in the contact's timezone (else quiet_timezone).
  quiet_start_minute integer check (quiet_start_minute between 0 and 1439),
  quiet_end_minute integer check (quiet_end_minute between 0 and 1439),
  quiet_timezone text not null default 'UTC',
  smtp_url text,
  retention_days integer check (retention_days is null or retention_days > 0),
  retention_mode text not null default 'delete' check (retention_mode in ('delete', 'anonymize')),
  updated_at timestamptz not null default now()
);

create table subscription_topics (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  key text not null,
  name text not null,
  description text,
  channels text[] not null,
  -- opt_in: nobody gets it without a recorded opt-in (GDPR, CASL);
  -- opt_out: sent until the person opts out (CAN-SPAM), on a lawful basis.
  regime text not null check (regime in ('opt_in', 'opt_out')),
  double_opt_in boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create unique index subscription_topics_key_idx on subscription_topics (workspace_id, key);

-- Append-only: the current state of a contact on a topic is its newest record.
create table consent_records (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  contact_id uuid not null,
  topic_id uuid not null,
  status text not null check (status in ('opted_in', 'opted_out', 'pending')),
  lawful_basis text not null,
  source text not null,
  recorded_at timestamptz not null default now(),
  ip text,
  user_agent text,
  consent_text text,
  primary key (workspace_id, id),
  foreign key (workspace_id, topic_id) references subscription_topics (workspace_id, id)
);
create index consent_records_contact_idx on consent_records (workspace_id, contact_id, topic_id, id desc);
create index consent_records_topic_idx on consent_records (workspace_id, topic_id, id desc);

-- Only an erasure (which sets keel.erasing for its transaction) may change or remove rows.
create function consent_records_refuse_change() returns trigger language plpgsql as $$
begin
  if coalesce(current_setting('keel.erasing', true), '') = 'on'
     or not exists (select 1 from workspaces where id = old.workspace_id) then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  raise exception 'consent_records is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
end $$;
create trigger consent_records_append_only before update or delete on consent_records
  for each row execute function consent_records_refuse_change();

create table suppressions (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id bigint generated always as identity,
  scope text not null check (scope in ('global', 'topic', 'channel')),
  reason text not null check (reason in ('hard_bounce', 'complaint', 'erased', 'manual', 'unsubscribed')),
  -- Who: an email (lower case), or only its salted hash once the person is erased.
  email text,
  email_hash text,
  topic_id uuid,
  channel text,
  source text not null,
  note text,
  created_at timestamptz not null default now(),
  primary key (workspace_id, id),
  check (email is not null or email_hash is not null),
  check ((scope = 'topic') = (topic_id is not null)),
  check ((scope = 'channel') = (channel is not null))
);
create index suppressions_email_idx on suppressions (workspace_id, email);
create index suppressions_hash_idx on suppressions (workspace_id, email_hash);

-- Every message handed to a transport (the outbox is one of them).
create table messages (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  contact_id uuid,
  topic_id uuid,
  channel text not null,
  transport text not null check (transport in ('outbox', 'smtp')),
  kind text not null check (kind in ('marketing', 'transactional')),
  to_address text not null,
  from_address text not null,
  subject text not null,
  text_body text not null,
  html_body text,
  headers jsonb not null default '{}'::jsonb,
  provider_message_id text,
  sent_at timestamptz not null default now(),
  primary key (workspace_id, id)
);
create index messages_time_idx on messages (workspace_id, sent_at desc, id desc);
create index messages_contact_idx on messages (workspace_id, contact_id, sent_at desc);

create table privacy_requests (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  kind text not null check (kind in ('erasure', 'export')),
  -- Kept only until the request is done: a retried erasure needs the address.
  email text,
  email_hash text not null,
  status text not null check (status in ('pending', 'done', 'failed')),
  attempts integer not null default 0,
  last_error text,
  summary jsonb not null default '{}'::jsonb,
  requested_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (workspace_id, id)
);
create index privacy_requests_status_idx on privacy_requests (workspace_id, status, requested_at);
