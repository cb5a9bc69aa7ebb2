import type { ColumnType } from 'kysely';
import type { Timestamp, TimestampDefault, Json, JsonDefault, Numeric, BigId } from './column-types.ts';

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
