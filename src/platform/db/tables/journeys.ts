import type { ColumnType, Generated } from 'kysely';
import type { Json, JsonDefault, Timestamp, TimestampDefault } from './column-types.ts';

// --- journeys: migrations/0012_journeys.sql ---
export type JourneyState = 'draft' | 'live' | 'paused' | 'archived';
export type JourneyRunStatus = 'active' | 'completed' | 'exited' | 'converted' | 'held_out';
export type JourneyStepStatus = 'running' | 'waiting' | 'completed' | 'skipped' | 'exited' | 'converted';

type IntDefault = ColumnType<number, number | undefined, number>;

export interface JourneysTable {
  workspace_id: string;
  id: Generated<string>;
  key: string;
  name: string;
  state: ColumnType<JourneyState, JourneyState | undefined, JourneyState>;
  current_version: number;
  trigger_cursor: JsonDefault;
  created_at: TimestampDefault;
  updated_at: TimestampDefault;
}

export interface JourneyVersionsTable {
  workspace_id: string;
  journey_id: string;
  version: number;
  definition: Json;
  created_at: TimestampDefault;
}

export interface JourneyRunsTable {
  workspace_id: string;
  id: Generated<string>;
  journey_id: string;
  version: number;
  contact_id: string;
  entry_no: number;
  status: JourneyRunStatus;
  variant: string | null;
  current_step: string | null;
  visits: IntDefault;
  token: IntDefault;
  wake_at: Timestamp | null;
  waiting_for: Json | null;
  trigger: JsonDefault;
  entered_at: Timestamp;
  updated_at: TimestampDefault;
  ended_at: Timestamp | null;
  end_reason: string | null;
}

export interface JourneyStepRunsTable {
  workspace_id: string;
  run_id: string;
  seq: number;
  step_id: string;
  kind: string;
  status: JourneyStepStatus;
  result: string | null;
  detail: JsonDefault;
  message_id: string | null;
  attempts: IntDefault;
  lease_until: Timestamp | null;
  started_at: TimestampDefault;
  finished_at: Timestamp | null;
}
