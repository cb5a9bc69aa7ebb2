import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import * as q from './attribution.queries.ts';
import { DEFAULT_CHANNEL_RULES, parseChannelRulesYaml, type ChannelRulesConfig } from './channel-rules.ts';

const MAX_YAML_BYTES = 256 * 1024;

export interface AttributionSettings {
  config: ChannelRulesConfig;
  /** The YAML as saved; null while the workspace uses the defaults. */
  yaml: string | null;
  updated_at: Date | null;
}

/** The workspace's saved attribution settings, or the defaults. */
export async function getAttributionSettings(db: Kysely<Database>, workspaceId: string): Promise<AttributionSettings> {
  const row = await q.selectSettings(db, workspaceId);
  if (!row) return { config: DEFAULT_CHANNEL_RULES, yaml: null, updated_at: null };
  return { config: parseChannelRulesYaml(row.yaml, 'saved attribution settings'), yaml: row.yaml, updated_at: new Date(row.updated_at) };
}

/** Validates and saves the settings YAML, recorded in the audit log in the same transaction. */
export async function saveAttributionSettings(db: Kysely<Database>, workspaceId: string, yaml: string, actor: AuditActor): Promise<AttributionSettings> {
  if (Buffer.byteLength(yaml, 'utf8') > MAX_YAML_BYTES) throw new AppError('too_large', `attribution settings: YAML over ${MAX_YAML_BYTES} bytes`);
  const config = parseChannelRulesYaml(yaml, 'attribution settings');
  await db.transaction().execute(async (tx) => {
    const before = await q.selectSettings(tx, workspaceId);
    await q.upsertSettings(tx, workspaceId, yaml);
    await recordAudit(tx, {
      workspaceId,
      actor,
      action: before ? 'attribution_settings.updated' : 'attribution_settings.created',
      objectType: 'attribution_settings',
      objectId: workspaceId,
      details: { rules: config.rules.length, conversions: config.conversions.map((c) => ('event' in c ? c.event : `stage:${c.stage}`)) },
    });
  });
  return getAttributionSettings(db, workspaceId);
}
