import type { ColumnType, Generated } from 'kysely';
import type { Timestamp, TimestampDefault, Json, BigId } from './column-types.ts';

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
  changes: string[] | null;
}
