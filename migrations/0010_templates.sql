-- Email templates of a workspace (schemas/email-template.schema.json). A template is its
-- key and the number of its current version; every saved change of content is a new,
-- immutable version, so a journey step can pin one and old sends stay explainable.
create table email_templates (
  workspace_id uuid not null references workspaces (id) on delete cascade,
  id uuid not null default gen_random_uuid(),
  key text not null,
  current_version integer not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, key)
);

-- compiled_html is the MJML body compiled once (Liquid still in it); content_hash tells
-- whether a save changed anything.
create table email_template_versions (
  workspace_id uuid not null,
  template_id uuid not null,
  version integer not null check (version >= 1),
  name text not null,
  subject text not null,
  preheader text,
  body_format text not null check (body_format in ('mjml', 'html')),
  body text not null,
  text_body text,
  default_topic text,
  compiled_html text not null,
  content_hash text not null,
  source_yaml text,
  created_by text not null,
  created_at timestamptz not null default now(),
  primary key (workspace_id, template_id, version),
  foreign key (workspace_id, template_id) references email_templates (workspace_id, id) on delete cascade
);
