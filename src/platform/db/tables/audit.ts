import type { TimestampDefault, JsonDefault, BigId } from './column-types.ts';

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
