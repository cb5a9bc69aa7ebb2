import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import type { AuditActorKind, Database } from '../../platform/db/schema.ts';
import type { RequestPrincipal } from '../../platform/http/app-env.ts';
import * as q from './audit.queries.ts';

export type { AuditFilter } from './audit.queries.ts';

/** Who made a change: an API key, a person at the CLI, or a part of Keel itself. */
export interface AuditActor {
  kind: AuditActorKind;
  id: string;
}

export interface AuditEntry {
  workspaceId: string;
  actor: AuditActor;
  /** Dotted verb, object type first: `segment.created`, `consent.recorded`, `contact.merged`. */
  action: string;
  objectType: string;
  objectId?: string | null;
  /** What changed; never secrets. Personal data only where the log must show it. */
  details?: Record<string, unknown>;
}

export const actorOfPrincipal = (principal: RequestPrincipal): AuditActor => ({ kind: 'api_key', id: principal.keyId });

/** The person running the `keel` CLI, by OS user name. */
export function cliActor(): AuditActor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry (some containers): the log still says it came from the CLI.
  }
  return { kind: 'cli', id: name };
}

export const systemActor = (component: string): AuditActor => ({ kind: 'system', id: component });

/**
 * Appends entries to the workspace's audit log. Pass the transaction that makes the
 * change, so that the change and its record commit or roll back together.
 */
export async function recordAudit(db: Kysely<Database>, ...entries: AuditEntry[]): Promise<void> {
  await q.insertAuditEntries(
    db,
    entries.map((e) => ({
      workspaceId: e.workspaceId,
      actorKind: e.actor.kind,
      actorId: e.actor.id,
      action: e.action,
      objectType: e.objectType,
      objectId: e.objectId ?? null,
      details: e.details ?? {},
    })),
  );
}

export const listAuditEntries = (db: Kysely<Database>, workspaceId: string, filter: q.AuditFilter) =>
  q.selectAuditEntries(db, workspaceId, filter);
