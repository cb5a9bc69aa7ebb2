import type { ColumnType, Generated } from 'kysely';
import type { TimestampDefault } from './column-types.ts';

// Email templates (migration 0010).
export interface EmailTemplatesTable {
  workspace_id: string;
  id: Generated<string>;
  key: string;
  current_version: number;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export type TemplateBodyFormat = 'mjml' | 'html';

export interface EmailTemplateVersionsTable {
  workspace_id: string;
  template_id: string;
  version: number;
  name: string;
  subject: string;
  preheader: string | null;
  body_format: TemplateBodyFormat;
  body: string;
  text_body: string | null;
  default_topic: string | null;
  compiled_html: string;
  content_hash: string;
  source_yaml: string | null;
  created_by: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}
