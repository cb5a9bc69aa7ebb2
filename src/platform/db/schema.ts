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

// bigint: pg returns it as a string, PGlite as a number; read through Number().
type BigCount = ColumnType<string | number, number | undefined, number>;

export type ImportKind = 'contacts' | 'accounts' | 'opportunities' | 'events';
export type ImportJobStatus = 'running' | 'completed' | 'failed';

export interface ImportJobsTable {
  workspace_id: string;
  id: Generated<string>;
  kind: ImportKind;
  status: ImportJobStatus;
  file_name: string;
  file_size: number | null;
  file_fingerprint: string | null;
  options: JsonDefault;
  mapping: JsonDefault;
  rows_read: BigCount;
  inserted: BigCount;
  updated: BigCount;
  unchanged: BigCount;
  refused: BigCount;
  rows_committed: BigCount;
  bytes_committed: BigCount;
  error: string | null;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  finished_at: Timestamp | null;
}

export interface ImportRefusalsTable {
  workspace_id: string;
  job_id: string;
  row_number: BigCount;
  line: BigCount | null;
  column_name: string | null;
  value: string | null;
  reason: string;
}

// --- 0006_dedupe: review queue, runs, settings, account merges ---
export type DedupeEntity = 'contact' | 'account';
export type DedupePairStatus = 'pending' | 'merged' | 'rejected' | 'stale';

export interface AccountMergesTable {
  workspace_id: string;
  id: BigId;
  winner_id: string;
  loser_id: string;
  reason: string;
  winner_snapshot: Json;
  loser_snapshot: Json;
  field_changes: JsonDefault;
  moved_rows: JsonDefault<Record<string, unknown[]>>;
  merged_at: TimestampDefault;
  undone_at: Timestamp | null;
  undone_by: string | null;
}

export interface DedupeRunsTable {
  workspace_id: string;
  id: BigId;
  entity: DedupeEntity;
  dry_run: boolean;
  records: number;
  candidate_pairs: ColumnType<string, number | string, number | string>;
  all_pairs: Numeric;
  auto_merged: number;
  queued: number;
  model: Json;
  thresholds: Json;
  millis: number;
  created_at: TimestampDefault;
}

export interface DedupePairsTable {
  workspace_id: string;
  id: BigId;
  entity: DedupeEntity;
  record_a: string;
  record_b: string;
  run_id: string;
  probability: number;
  weight: number;
  evidence: Json<unknown[]>;
  status: DedupePairStatus;
  merge_id: string | null;
  decided_at: Timestamp | null;
  decided_by: string | null;
  created_at: TimestampDefault;
}

export interface DedupeSettingsTable {
  workspace_id: string;
  settings: Json;
  updated_at: TimestampDefault;
}

// --- audiences (segments, scoring, stages): migrations/0004_audiences.sql ---
export type SegmentSubject = 'contact' | 'account';
export type SegmentType = 'dynamic' | 'static';

export interface SegmentsTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  subject: SegmentSubject;
  type: SegmentType;
  description: string | null;
  definition: Json;
  depends_on: ColumnType<string[], string[] | undefined, string[]>;
  time_dependent: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  computed_at: Timestamp | null;
}

export interface SegmentMembersTable {
  workspace_id: string;
  segment_id: string;
  member_id: string;
  entered_at: Timestamp;
}

export interface SegmentMembershipHistoryTable {
  workspace_id: string;
  id: BigId;
  segment_id: string;
  member_id: string;
  change: 'entered' | 'exited';
  at: Timestamp;
}

export interface ScoringModelsTable {
  workspace_id: string;
  id: Generated<string>;
  name: string;
  description: string | null;
  definition: Json;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
  computed_at: Timestamp | null;
}

export type ScoreKind = 'fit' | 'engagement';

export interface ContactScorePartsTable {
  workspace_id: string;
  model_id: string;
  contact_id: string;
  rule: string;
  kind: ScoreKind;
  points: number;
}

export interface ContactScoresTable {
  workspace_id: string;
  model_id: string;
  contact_id: string;
  fit: number;
  engagement: number;
  total: number;
  updated_at: Timestamp;
}

export interface ScoreChangesTable {
  workspace_id: string;
  id: BigId;
  model_id: string;
  contact_id: string;
  rule: string;
  points_before: number;
  points_after: number;
  at: Timestamp;
}

export interface AccountScoresTable {
  workspace_id: string;
  model_id: string;
  account_id: string;
  fit: number;
  contact_fit: number;
  engagement: number;
  total: number;
  updated_at: Timestamp;
}

export interface StageRulesTable {
  workspace_id: string;
  definition: Json;
  updated_at: TimestampDefault;
}

export type StageDimension = 'lifecycle' | 'engagement';

export interface ContactStagesTable {
  workspace_id: string;
  contact_id: string;
  dimension: StageDimension;
  stage: string;
  entered_at: Timestamp;
}

export interface StageHistoryTable {
  workspace_id: string;
  id: BigId;
  contact_id: string;
  dimension: StageDimension;
  from_stage: string | null;
  to_stage: string;
  at: Timestamp;
}

export interface AudienceQueueTable {
  workspace_id: string;
  id: Generated<string>;
  entity: 'contact' | 'account';
  entity_id: string;
  queued_at: TimestampDefault;
}
// --- end audiences ---
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

// Attribution (migration 0009).
export interface AttributionSettingsTable {
  workspace_id: string;
  yaml: string;
  updated_at: TimestampDefault;
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
  tracking_plans: TrackingPlansTable;
  tracking_plan_violations: TrackingPlanViolationsTable;
  tracking_plan_violation_counts: TrackingPlanViolationCountsTable;
  tracking_plan_daily: TrackingPlanDailyTable;
  tracking_plan_unknowns: TrackingPlanUnknownsTable;
  data_health_snapshots: DataHealthSnapshotsTable;
  field_validation_issues: FieldValidationIssuesTable;
  enrichment_settings: EnrichmentSettingsTable;
  enrichment_providers: EnrichmentProvidersTable;
  enrichment_cache: EnrichmentCacheTable;
  import_jobs: ImportJobsTable;
  import_refusals: ImportRefusalsTable;
  account_merges: AccountMergesTable;
  dedupe_runs: DedupeRunsTable;
  dedupe_pairs: DedupePairsTable;
  dedupe_settings: DedupeSettingsTable;
  segments: SegmentsTable;
  segment_members: SegmentMembersTable;
  segment_membership_history: SegmentMembershipHistoryTable;
  scoring_models: ScoringModelsTable;
  contact_score_parts: ContactScorePartsTable;
  contact_scores: ContactScoresTable;
  score_changes: ScoreChangesTable;
  account_scores: AccountScoresTable;
  stage_rules: StageRulesTable;
  contact_stages: ContactStagesTable;
  stage_history: StageHistoryTable;
  audience_queue: AudienceQueueTable;
  workspace_policies: WorkspacePoliciesTable;
  subscription_topics: SubscriptionTopicsTable;
  consent_records: ConsentRecordsTable;
  suppressions: SuppressionsTable;
  messages: MessagesTable;
  privacy_requests: PrivacyRequestsTable;
  attribution_settings: AttributionSettingsTable;
}

export type ContactRow = Selectable<ContactsTable>;
export type AccountRow = Selectable<AccountsTable>;
export type OpportunityRow = Selectable<OpportunitiesTable>;

// --- tracking plan and data health (migration 0008) ---
export type PlanAction = 'allow' | 'count' | 'flag' | 'block';
export interface TrackingPlansTable {
  workspace_id: string;
  version: number;
  source_yaml: string;
  plan: Json<unknown>;
  applied_at: TimestampDefault;
  applied_by: string;
}
export interface TrackingPlanViolationsTable {
  workspace_id: string;
  id: BigId;
  recorded_at: TimestampDefault;
  plan_version: number;
  message_id: string;
  event_type: string;
  event_name: string | null;
  event_timestamp: Timestamp;
  rule: string;
  subject: string;
  field: string | null;
  value: string | null;
  reason: string;
  action: 'flag' | 'block';
}
export interface TrackingPlanViolationCountsTable {
  workspace_id: string;
  day: ColumnType<string, string, string>;
  rule: string;
  subject: string;
  action: 'count' | 'flag' | 'block';
  violations: ColumnType<string, number | string, number | string>;
}
export interface TrackingPlanDailyTable {
  workspace_id: string;
  day: ColumnType<string, string, string>;
  checked: ColumnType<string, number | string, number | string>;
  violating: ColumnType<string, number | string, number | string>;
  blocked: ColumnType<string, number | string, number | string>;
}
export interface TrackingPlanUnknownsTable {
  workspace_id: string;
  kind: 'event' | 'property' | 'trait';
  name: string;
  seen: ColumnType<string, number | string, number | string>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  example_message_id: string;
  example_value: string | null;
}
export interface DataHealthSnapshotsTable {
  workspace_id: string;
  day: ColumnType<string, string, string>;
  taken_at: TimestampDefault;
  score: Numeric;
  figures: Json<Record<string, unknown>>;
}
export type ImportJobRow = Selectable<ImportJobsTable>;
