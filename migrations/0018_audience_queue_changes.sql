-- What changed about a queued contact or account (`event:Webinar Attended`,
-- `field:last_seen_at`, ...): a derivation pass then evaluates only the rules that read
-- it. Null means unknown (a new or merged contact, an import, an account change): every
-- rule is due, as before this column.
alter table audience_queue add column changes text[];
