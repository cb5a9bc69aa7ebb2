import type { TimestampDefault } from './column-types.ts';

// Attribution (migration 0009).
export interface AttributionSettingsTable {
  workspace_id: string;
  yaml: string;
  updated_at: TimestampDefault;
}
