import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { RequestPrincipal } from '../../platform/http/app-env.ts';
import type { Database, KeyKind, KeyRole } from '../../platform/db/schema.ts';
import { recordAudit, systemActor, type AuditActor } from '../audit/index.ts';
import { generateKey, hashKey, hashesEqual, parseKey } from './api-keys.ts';
import * as q from './workspaces.queries.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';

export interface CreatedKey {
  id: string;
  kind: KeyKind;
  role: KeyRole;
  name: string;
  /** Shown once; only its hash is stored. */
  key: string;
}

export interface CreatedWorkspace {
  id: string;
  name: string;
  writeKey: CreatedKey;
  adminKey: CreatedKey;
}

/** Creates a workspace with one write key and one admin key. */
export async function createWorkspace(db: Kysely<Database>, name: string, actor: AuditActor = systemActor('workspaces')): Promise<CreatedWorkspace> {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw new AppError('invalid', `Workspace name must be 1 to 200 characters, got ${JSON.stringify(name)}`);
  }
  return db.transaction().execute(async (trx) => {
    const workspace = await q.insertWorkspace(trx, trimmed);
    await recordAudit(trx, { workspaceId: workspace.id, actor, action: 'workspace.created', objectType: 'workspace', objectId: workspace.id, details: { name: trimmed } });
    const writeKey = await createApiKey(trx, workspace.id, { kind: 'write', name: 'default write key' }, actor);
    const adminKey = await createApiKey(trx, workspace.id, { kind: 'admin', name: 'default admin key' }, actor);
    return { id: workspace.id, name: workspace.name, writeKey, adminKey };
  });
}

export async function getWorkspace(db: Kysely<Database>, id: string) {
  const workspace = await q.selectWorkspace(db, id);
  if (!workspace) throw new AppError('not_found', `Workspace ${id} not found`);
  return workspace;
}

export const listWorkspaces = (db: Kysely<Database>) => q.selectWorkspaces(db);

export interface KeySpec {
  kind: KeyKind;
  name: string;
  /** Admin keys: 'admin' (read and write) or 'viewer' (read only). Write keys are always 'ingest'. */
  role?: KeyRole;
}

/** Creates a key and records who did, in the same transaction. */
export async function createApiKey(db: Kysely<Database>, workspaceId: string, spec: KeySpec, actor: AuditActor): Promise<CreatedKey> {
  const role: KeyRole = spec.kind === 'write' ? 'ingest' : (spec.role ?? 'admin');
  if (spec.kind === 'write' && spec.role && spec.role !== 'ingest') {
    throw new AppError('invalid', `A write key can only have the role "ingest", got "${spec.role}"`);
  }
  if (spec.kind === 'admin' && role === 'ingest') {
    throw new AppError('invalid', 'An admin key needs the role "admin" or "viewer", got "ingest"');
  }
  const name = spec.name.trim();
  if (name === '' || name.length > 200) throw new AppError('invalid', `Key name must be 1 to 200 characters, got ${JSON.stringify(spec.name)}`);
  const generated = generateKey(spec.kind === 'write' ? 'kw' : 'ka');
  const insert = async (trx: Kysely<Database>) => {
    await q.insertApiKey(trx, { workspace_id: workspaceId, id: generated.id, kind: spec.kind, role, name, secret_hash: generated.hash });
    await recordAudit(trx, { workspaceId, actor, action: 'api_key.created', objectType: 'api_key', objectId: generated.id, details: { kind: spec.kind, role, name } });
  };
  await inTransaction(db, insert);
  return { id: generated.id, kind: spec.kind, role, name, key: generated.key };
}

export const listApiKeys = (db: Kysely<Database>, workspaceId: string) => q.selectApiKeys(db, workspaceId);

export async function revokeApiKey(db: Kysely<Database>, workspaceId: string, id: string, actor: AuditActor): Promise<void> {
  const revoked = await db.transaction().execute(async (trx) => {
    const done = await q.updateKeyRevoked(trx, workspaceId, id);
    if (done) await recordAudit(trx, { workspaceId, actor, action: 'api_key.revoked', objectType: 'api_key', objectId: id });
    return done;
  });
  if (!revoked) {
    const keys = await q.selectApiKeys(db, workspaceId);
    const key = keys.find((k) => k.id === id);
    if (!key) throw new AppError('not_found', `API key ${id} not found in this workspace`);
    throw new AppError('conflict', `API key ${id} is already revoked`);
  }
}

/** Who a key belongs to: the same shape the HTTP layer carries per request. */
export type Principal = RequestPrincipal;

/**
 * Resolves a presented key to its workspace. Unknown, malformed and revoked keys all fail
 * with `unauthorized`; the hash comparison is constant-time.
 */
export async function authenticateKey(db: Kysely<Database>, presented: string): Promise<Principal> {
  const parsed = parseKey(presented);
  if (!parsed) throw new AppError('unauthorized', 'API key is malformed');
  const row = await q.selectApiKeyById(db, parsed.id);
  if (!row || !hashesEqual(row.secret_hash, hashKey(presented))) throw new AppError('unauthorized', 'API key is not valid');
  if (row.revoked_at) throw new AppError('unauthorized', `API key ${row.id} has been revoked`);
  if ((parsed.prefix === 'kw') !== (row.kind === 'write')) throw new AppError('unauthorized', 'API key is not valid');
  return { workspaceId: row.workspace_id, keyId: row.id, kind: row.kind, role: row.role };
}

export const recordKeyUse = (db: Kysely<Database>, principal: Principal, at: Date) =>
  q.updateKeyLastUsed(db, principal.workspaceId, principal.keyId, at);
