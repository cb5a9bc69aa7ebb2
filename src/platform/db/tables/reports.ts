import type { ColumnType } from 'kysely';
import type { BigId, Numeric, TimestampDefault } from './column-types.ts';

// Reports (migration 0013): imported marketing costs. Dates are read as text (YYYY-MM-DD)
// by the queries: the drivers would turn a date into a local-time Date.
export interface CampaignCostsTable {
  workspace_id: string;
  id: BigId;
  period_start: ColumnType<string, string, string>;
  period_end: ColumnType<string, string, string>;
  channel: string;
  campaign: ColumnType<string, string | undefined, string>;
  cost: Numeric;
  currency: string;
  source: string;
  imported_at: TimestampDefault;
}
