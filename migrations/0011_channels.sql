-- Channels (issue 6): email, SMS and webhook delivery with retries, journey attribution of
-- every message, per-channel frequency caps and the workspace's channel settings.

-- Delivery state of a message. 'sent': the provider accepted it; 'retrying': a soft
-- failure, tried again at next_attempt_at; 'dead': retries exhausted or refused for good
-- (the dead-letter list); 'bounced': the relay rejected the recipient (hard bounce).
alter table messages drop constraint messages_transport_check;
alter table messages add constraint messages_transport_check check (transport in ('outbox', 'smtp', 'webhook', 'sms'));
alter table messages
  add column status text not null default 'sent' check (status in ('sent', 'retrying', 'dead', 'bounced')),
  add column attempts integer not null default 1,
  add column next_attempt_at timestamptz,
  add column last_error text,
  add column delivered_at timestamptz,
  add column journey_id text,
  add column journey_version integer,
  add column step_id text,
  add column variant text,
  add column journey_priority integer;
-- Due retries, oldest first (the delivery worker).
create index messages_retry_idx on messages (next_attempt_at) where status = 'retrying';
-- Dead letters of a workspace, newest first.
create index messages_status_idx on messages (workspace_id, status, sent_at desc);
-- Throttling counts a journey's sends of the last hour.
create index messages_journey_idx on messages (workspace_id, journey_id, sent_at desc) where journey_id is not null;

-- Per-channel caps (the existing max_per_day / max_per_week keep counting every marketing
-- message to the contact, on email and SMS together).
alter table workspace_policies
  add column email_max_per_day integer check (email_max_per_day is null or email_max_per_day > 0),
  add column email_max_per_week integer check (email_max_per_week is null or email_max_per_week > 0),
  add column sms_max_per_day integer check (sms_max_per_day is null or sms_max_per_day > 0),
  add column sms_max_per_week integer check (sms_max_per_week is null or sms_max_per_week > 0),
  -- Journey messages with a priority below this may not take the last free slot of a cap.
  add column cap_reserve_priority integer not null default 50 check (cap_reserve_priority between 0 and 101),
  -- Webhooks: HMAC key of X-Keel-Signature (generated on first use) and the hosts they may reach.
  add column webhook_secret text,
  add column webhook_allowed_hosts text[] not null default '{}',
  -- SMS provider (POST {base_url}/Messages, Basic account:token) and the secret of the inbound URL.
  add column sms_base_url text,
  add column sms_account text,
  add column sms_token text,
  add column sms_from text,
  add column sms_inbound_secret text,
  -- DKIM signing of outgoing email (nodemailer's dkim option).
  add column dkim_domain text,
  add column dkim_selector text,
  add column dkim_private_key text;

-- SMS opt-outs (STOP) are keyed by the phone number (E.164), not by an email address.
alter table suppressions add column phone text;
do $$
declare c text;
begin
  select conname into c from pg_constraint
   where conrelid = 'suppressions'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%email_hash IS NOT NULL%';
  execute format('alter table suppressions drop constraint %I', c);
end $$;
alter table suppressions add constraint suppressions_who_check check (email is not null or email_hash is not null or phone is not null);
create index suppressions_phone_idx on suppressions (workspace_id, phone) where phone is not null;
