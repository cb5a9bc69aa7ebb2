import type { Generated, Selectable } from 'kysely';
import type { Timestamp, TimestampDefault, JsonDefault, BigCount } from './column-types.ts';

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

export type ImportJobRow = Selectable<ImportJobsTable>;
