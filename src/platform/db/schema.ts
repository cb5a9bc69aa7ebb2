import type { ColumnType, Generated, Selectable } from 'kysely';

/** Typed view of the tables in migrations/. snake_case, as in SQL. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T = Record<string, unknown>> = ColumnType<T, T | string, T | string>;
type JsonDefault<T = Record<string, unknown>> = ColumnType<T, T | string | undefined, T | string>;
// numeric comes back as a string from both drivers: exact, no float rounding.
type Numeric = ColumnType<string, string | number, string | number>;
type BigId = ColumnType<string, never, never>;

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

export type AuditActorKind = 'api_key' | 'cli' | 'system';

export interface AuditLogTable {
  workspace_id: string;
  id: BigId;
  at: TimestampDefault;
  actor_kind: AuditActorKind;
  actor_id: string;
  action: string;
  object_type: string;
  object_id: string | null;
  details: JsonDefault;
}

// --- consent, suppression, messages, privacy (migration 0003) ---
export type TopicRegime = 'opt_in' | 'opt_out';
export type ConsentStatus = 'opted_in' | 'opted_out' | 'pending';
export type SuppressionScope = 'global' | 'topic' | 'channel';
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'erased' | 'manual' | 'unsubscribed';
export type MessageKind = 'marketing' | 'transactional';
export type TransportName = 'outbox' | 'smtp';
export type RetentionMode = 'delete' | 'anonymize';
export type PrivacyRequestKind = 'erasure' | 'export';
export type PrivacyRequestStatus = 'pending' | 'done' | 'failed';

export interface WorkspacePoliciesTable {
  workspace_id: string;
  signing_secret: string;
  hash_salt: string;
  sender_name: string | null;
  sender_email: string | null;
  postal_address: string | null;
  unsubscribe_mailbox: string | null;
  page_texts: JsonDefault<Record<string, string>>;
  max_per_day: number | null;
  max_per_week: number | null;
  quiet_start_minute: number | null;
  quiet_end_minute: number | null;
  quiet_timezone: ColumnType<string, string | undefined, string>;
  smtp_url: string | null;
  retention_days: number | null;
  retention_mode: ColumnType<RetentionMode, RetentionMode | undefined, RetentionMode>;
  updated_at: TimestampDefault;
}

export interface SubscriptionTopicsTable {
  workspace_id: string;
  id: Generated<string>;
  key: string;
  name: string;
  description: string | null;
  channels: string[];
  regime: TopicRegime;
  double_opt_in: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface ConsentRecordsTable {
  workspace_id: string;
  id: BigId;
  contact_id: string;
  topic_id: string;
  status: ConsentStatus;
  lawful_basis: string;
  source: string;
  recorded_at: TimestampDefault;
  ip: string | null;
  user_agent: string | null;
  consent_text: string | null;
}

export interface SuppressionsTable {
  workspace_id: string;
  id: BigId;
  scope: SuppressionScope;
  reason: SuppressionReason;
  email: string | null;
  email_hash: string | null;
  topic_id: string | null;
  channel: string | null;
  source: string;
  note: string | null;
  created_at: TimestampDefault;
}

export interface MessagesTable {
  workspace_id: string;
  id: Generated<string>;
  contact_id: string | null;
  topic_id: string | null;
  channel: string;
  transport: TransportName;
  kind: MessageKind;
  to_address: string;
  from_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  headers: JsonDefault<Record<string, string>>;
  provider_message_id: string | null;
  sent_at: TimestampDefault;
}

export interface PrivacyRequestsTable {
  workspace_id: string;
  id: Generated<string>;
  kind: PrivacyRequestKind;
  email: string | null;
  email_hash: string;
  status: PrivacyRequestStatus;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  summary: JsonDefault;
  requested_at: TimestampDefault;
  completed_at: Timestamp | null;
}
// --- end of migration 0003 types ---

export interface KeelMigrationsTable {
  version: number;
  name: string;
  applied_at: TimestampDefault;
}

export interface Database {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  contacts: ContactsTable;
  accounts: AccountsTable;
  contact_accounts: ContactAccountsTable;
  identities: IdentitiesTable;
  events: EventsTable;
  ingest_inbox: IngestInboxTable;
  rejected_events: RejectedEventsTable;
  contact_merges: ContactMergesTable;
  identity_conflicts: IdentityConflictsTable;
  opportunities: OpportunitiesTable;
  audit_log: AuditLogTable;
  keel_migrations: KeelMigrationsTable;
  workspace_policies: WorkspacePoliciesTable;
  subscription_topics: SubscriptionTopicsTable;
  consent_records: ConsentRecordsTable;
  suppressions: SuppressionsTable;
  messages: MessagesTable;
  privacy_requests: PrivacyRequestsTable;
}

export type ContactRow = Selectable<ContactsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type OpportunityRow = Selectable<OpportunitiesTable>;
