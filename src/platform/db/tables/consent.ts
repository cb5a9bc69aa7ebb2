import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault, JsonDefault, BigId } from './column-types.ts';

// --- consent, suppression, messages, privacy (migration 0003) ---
export type TopicRegime = 'opt_in' | 'opt_out';
export type ConsentStatus = 'opted_in' | 'opted_out' | 'pending';
export type SuppressionScope = 'global' | 'topic' | 'channel';
export type SuppressionReason = 'hard_bounce' | 'complaint' | 'erased' | 'manual' | 'unsubscribed';
export type MessageKind = 'marketing' | 'transactional';
export type TransportName = 'outbox' | 'smtp' | 'webhook' | 'sms';
/** Delivery state of a message (migration 0011). */
export type MessageStatus = 'sent' | 'retrying' | 'dead' | 'bounced';
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
  // channels (migration 0011)
  email_max_per_day: number | null;
  email_max_per_week: number | null;
  sms_max_per_day: number | null;
  sms_max_per_week: number | null;
  cap_reserve_priority: ColumnType<number, number | undefined, number>;
  webhook_secret: string | null;
  webhook_allowed_hosts: ColumnType<string[], string[] | undefined, string[]>;
  sms_base_url: string | null;
  sms_account: string | null;
  sms_token: string | null;
  sms_from: string | null;
  sms_inbound_secret: string | null;
  dkim_domain: string | null;
  dkim_selector: string | null;
  dkim_private_key: string | null;
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
  /** SMS opt-outs: the E.164 number (migration 0011). */
  phone: ColumnType<string | null, string | null | undefined, string | null>;
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
  // delivery and journey attribution (migration 0011)
  status: ColumnType<MessageStatus, MessageStatus | undefined, MessageStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
  delivered_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  journey_id: ColumnType<string | null, string | null | undefined, string | null>;
  journey_version: ColumnType<number | null, number | null | undefined, number | null>;
  step_id: ColumnType<string | null, string | null | undefined, string | null>;
  variant: ColumnType<string | null, string | null | undefined, string | null>;
  journey_priority: ColumnType<number | null, number | null | undefined, number | null>;
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
