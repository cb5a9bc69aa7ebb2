import type { ColumnType } from 'kysely';
import type { Timestamp, TimestampDefault, Json, Numeric, BigId } from './column-types.ts';

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
