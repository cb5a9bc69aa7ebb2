import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault, Json, JsonDefault, Numeric, BigId } from './column-types.ts';

export interface WorkspacesTable {
  id: Generated<string>;
  name: string;
  created_at: TimestampDefault;
}

export type KeyKind = 'write' | 'admin';
export type KeyRole = 'ingest' | 'admin' | 'viewer';

export interface ApiKeysTable {
  workspace_id: string;
  id: string;
  kind: KeyKind;
  role: KeyRole;
  name: string;
  secret_hash: string;
  created_at: TimestampDefault;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface ContactsTable {
  workspace_id: string;
  id: Generated<string>;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  title: string | null;
  company: string | null;
  country: string | null;
  timezone: string | null;
  traits: JsonDefault;
  traits_updated_at: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  first_seen_at: Timestamp | null;
  last_seen_at: Timestamp | null;
}

export interface AccountsTable {
  workspace_id: string;
  id: Generated<string>;
  external_id: string | null;
  domain: string | null;
  name: string | null;
  industry: string | null;
  employees: number | null;
  annual_revenue: Numeric | null;
  country: string | null;
  traits: JsonDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ContactAccountsTable {
  workspace_id: string;
  contact_id: string;
  account_id: string;
  created_at: TimestampDefault;
}

export type IdentityKind = 'user_id' | 'anonymous_id' | 'email';

export interface IdentitiesTable {
  workspace_id: string;
  kind: IdentityKind;
  value: string;
  contact_id: string;
  created_at: TimestampDefault;
}

export type EventType = 'identify' | 'track' | 'page' | 'screen' | 'group' | 'alias';

export interface EventsTable {
  workspace_id: string;
  id: BigId;
  message_id: string;
  type: EventType;
  name: string | null;
  contact_id: string | null;
  user_id: string | null;
  anonymous_id: string | null;
  group_id: string | null;
  properties: JsonDefault;
  traits: JsonDefault;
  context: JsonDefault;
  page_url: string | null;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  timestamp: Timestamp;
  original_timestamp: Timestamp | null;
  sent_at: Timestamp | null;
  received_at: Timestamp;
}

export interface IngestInboxTable {
  workspace_id: string;
  id: BigId;
  received_at: Timestamp;
  event_count: number;
  payload: string;
}

export interface RejectedEventsTable {
  workspace_id: string;
  id: BigId;
  received_at: TimestampDefault;
  type: string | null;
  message_id: string | null;
  reason: string;
  field: string | null;
  payload: string;
}

export interface ContactMergesTable {
  workspace_id: string;
  id: BigId;
  winner_id: string;
  loser_id: string;
  reason: string;
  message_id: string | null;
  loser_snapshot: Json;
  identities_moved: number;
  events_moved: number;
  merged_at: TimestampDefault;
  // Added by 0006_dedupe (undoable merges).
  winner_snapshot: Json | null;
  field_changes: JsonDefault;
  moved_rows: JsonDefault<Record<string, unknown[]>>;
  undone_at: Timestamp | null;
  undone_by: string | null;
}

export interface IdentityConflictsTable {
  workspace_id: string;
  id: BigId;
  message_id: string;
  kind: string;
  value: string;
  contact_id: string;
  other_contact_id: string;
  reason: string;
  created_at: TimestampDefault;
}

export interface OpportunitiesTable {
  workspace_id: string;
  id: Generated<string>;
  account_id: string;
  external_id: string | null;
  name: string;
  amount: Numeric;
  currency: string;
  stage: string;
  is_closed: ColumnType<boolean, boolean | undefined, boolean>;
  is_won: ColumnType<boolean, boolean | undefined, boolean>;
  created_date: Timestamp;
  closed_date: Timestamp | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface KeelMigrationsTable {
  version: number;
  name: string;
  applied_at: TimestampDefault;
}
