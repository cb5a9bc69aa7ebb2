-- Touchpoints: what each stored event contributes to attribution, one row per page view and
-- per touch track event (Email Link Clicked, Form Submitted, Ad Clicked, Webinar Attended,
-- Offline Touch), keyed like its event (workspace, message id) so that writing it twice
-- changes nothing. Written in the same statement as the event (events.queries.ts
-- insertEvents); source and medium as sent, campaign/content/term normalised; channels are
-- NOT stored: the workspace's channel rules are applied when attribution reads the rows,
-- once per distinct (kind, source, medium, campaign), so a rules change is in the next run.
-- Visits (30 minutes), form fills taking their visit's source, lead creation and repeats
-- are also decided at read time, over the contact's rows in time order.
create table touchpoints (
  workspace_id uuid not null,
  message_id text not null,
  contact_id uuid,
  occurred_at timestamptz not null,
  kind text not null check (kind in ('page', 'email_click', 'form', 'ad_click', 'webinar', 'offline')),
  -- page views: tagged | external | direct | internal (see events/touch-candidates.ts)
  visit text check (visit in ('tagged', 'external', 'direct', 'internal')),
  source text,
  medium text,
  campaign text,
  content text,
  term text,
  primary key (workspace_id, message_id)
);
-- Attribution reads a workspace's rows by contact, then time (keyset on all four).
create index touchpoints_contact_time_idx on touchpoints (workspace_id, contact_id, occurred_at, message_id);

-- The rows follow their events whatever changes them: a merge or its undo moves events to
-- another contact, retention's anonymization clears contact_id, erasure and retention
-- delete events. Statement-level triggers with transition tables, in the same transaction.
create function touchpoints_follow_event_contact() returns trigger language plpgsql as $$
begin
  update touchpoints t set contact_id = n.contact_id
  from new_events n join old_events o on o.workspace_id = n.workspace_id and o.message_id = n.message_id
  where t.workspace_id = n.workspace_id and t.message_id = n.message_id
    and n.contact_id is distinct from o.contact_id;
  return null;
end $$;
create trigger events_contact_touchpoints after update on events
  referencing old table as old_events new table as new_events
  for each statement execute function touchpoints_follow_event_contact();

create function touchpoints_follow_event_delete() returns trigger language plpgsql as $$
begin
  delete from touchpoints t using old_events o where t.workspace_id = o.workspace_id and t.message_id = o.message_id;
  return null;
end $$;
create trigger events_delete_touchpoints after delete on events
  referencing old table as old_events
  for each statement execute function touchpoints_follow_event_delete();

-- Events stored before this migration get their rows from a backfill in code (the page
-- view rules parse URLs as the WHATWG URL parser does, which SQL cannot match exactly):
-- run by itself, resumably, before that workspace's first attribution run (no separate command yet).
-- A row here means that workspace's backfill is still to do; workspaces created later
-- have every event's row from the start.
create table touchpoint_backfills (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  -- the last message id done (keyset over the events' primary key); null: not started
  after_message_id text,
  primary key (workspace_id)
);
insert into touchpoint_backfills (workspace_id)
select w.id from workspaces w where exists (select 1 from events e where e.workspace_id = w.id);
