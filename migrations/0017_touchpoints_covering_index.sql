-- Attribution reads a workspace's touchpoints by (contact, time) and needs every column of
-- the row. With the columns in the index (INCLUDE), a vacuumed table is read by index-only
-- scans: on the 1M-contact bench copy one 100k-row page read 12k index pages instead of 24k
-- scattered heap and index pages (0.16 s instead of 0.39 s). Same key, same order, so the
-- keyset pages and their plans are unchanged.
create index touchpoints_contact_time_cover_idx on touchpoints (workspace_id, contact_id, occurred_at, message_id)
  include (kind, visit, source, medium, campaign, content, term);
drop index touchpoints_contact_time_idx;
alter index touchpoints_contact_time_cover_idx rename to touchpoints_contact_time_idx;
