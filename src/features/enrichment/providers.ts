import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { parseHttpProviderConfig, type HttpProviderConfig } from './http-provider.ts';
import * as q from './enrichment.queries.ts';

export interface ProviderView {
  name: string;
  kind: 'http';
  enabled: boolean;
  /** The configuration with header values masked: secrets are shown once, when set. */
  config: HttpProviderConfig;
  updated_at: Date;
}

const NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function checkProviderName(name: string): string {
  if (!NAME.test(name)) throw new AppError('invalid', `provider name ${JSON.stringify(name)}: lower-case letters, digits, - and _, starting with a letter`, { field: 'name' });
  return name;
}

const mask = (config: HttpProviderConfig): HttpProviderConfig => ({
  ...config,
  headers: Object.fromEntries(Object.entries(config.headers).map(([k, v]) => [k, v.length <= 4 ? '****' : `****${v.slice(-4)}`])),
});

function toView(row: { name: string; kind: 'http'; enabled: boolean; config: Record<string, unknown>; updated_at: Date }): ProviderView {
  return { name: row.name, kind: row.kind, enabled: row.enabled, config: mask(parseHttpProviderConfig(row.config)), updated_at: row.updated_at };
}

export async function listProviders(db: Kysely<Database>, workspaceId: string): Promise<ProviderView[]> {
  return (await q.selectProviders(db, workspaceId)).map(toView);
}

/** The provider's full configuration (secrets included), for running it. */
export async function getProviderConfig(db: Kysely<Database>, workspaceId: string, name: string): Promise<{ config: HttpProviderConfig; enabled: boolean }> {
  const row = await q.selectProvider(db, workspaceId, name);
  if (!row) throw new AppError('not_found', `Enrichment provider ${JSON.stringify(name)} not found in this workspace`);
  return { config: parseHttpProviderConfig(row.config), enabled: row.enabled };
}

/** Creates or replaces a provider (audited; header values are not written to the log). */
export async function saveProvider(db: Kysely<Database>, workspaceId: string, name: string, input: { config: unknown; enabled?: boolean | undefined }, actor: AuditActor): Promise<ProviderView> {
  checkProviderName(name);
  const config = parseHttpProviderConfig(input.config);
  return db.transaction().execute(async (trx) => {
    const created = await q.upsertProvider(trx, workspaceId, name, config, input.enabled ?? true);
    await recordAudit(trx, {
      workspaceId, actor, action: created ? 'enrichment_provider.created' : 'enrichment_provider.updated', objectType: 'enrichment_provider', objectId: name,
      details: { config: mask(config), enabled: input.enabled ?? true },
    });
    const row = await q.selectProvider(trx, workspaceId, name);
    return toView(row!);
  });
}

export async function removeProvider(db: Kysely<Database>, workspaceId: string, name: string, actor: AuditActor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await q.deleteProvider(trx, workspaceId, name))) throw new AppError('not_found', `Enrichment provider ${JSON.stringify(name)} not found in this workspace`);
    await recordAudit(trx, { workspaceId, actor, action: 'enrichment_provider.deleted', objectType: 'enrichment_provider', objectId: name });
  });
}
