-- The bodies of sent messages (text and HTML, kept for retries and the message log) are
-- compressed with lz4 instead of pglz where the server has it: every email writes its
-- HTML once, and pglz cost PostgreSQL about 0.05-0.08 ms of CPU per email in
-- bench:email-send. Only values written from now on change; old rows stay readable as
-- they are. PGlite is built without lz4 (feature_not_supported): it keeps pglz.
do $$
begin
  alter table messages alter column text_body set compression lz4, alter column html_body set compression lz4;
exception when feature_not_supported then
  null;
end
$$;
