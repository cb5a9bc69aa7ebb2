import type { ColumnType } from 'kysely';
import type { Timestamp, TimestampDefault, Json, JsonDefault } from './column-types.ts';

// --- normalization and enrichment (migration 0007) ---
export type ValidationObjectType = 'contact' | 'account';

export interface FieldValidationIssuesTable {
  workspace_id: string;
  object_type: ValidationObjectType;
  object_id: string;
  field: string;
  value: string;
  reason: string;
  source: string;
  detected_at: TimestampDefault;
}

export interface EnrichmentSettingsTable {
  workspace_id: string;
  create_accounts_from_email_domain: ColumnType<boolean, boolean | undefined, boolean>;
  extra_free_mail_domains: ColumnType<string[], string[] | undefined, string[]>;
  updated_at: TimestampDefault;
}

export interface EnrichmentProvidersTable {
  workspace_id: string;
  name: string;
  kind: 'http';
  config: Json;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface EnrichmentCacheTable {
  workspace_id: string;
  provider: string;
  lookup_key: string;
  status: 'hit' | 'miss';
  response: JsonDefault;
  fetched_at: TimestampDefault;
  expires_at: Timestamp;
}
