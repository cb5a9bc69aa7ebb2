import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault, JsonDefault, BigId } from './column-types.ts';

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
