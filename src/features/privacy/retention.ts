import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { getPolicies, listRetentionPolicies } from '../consent/index.ts';
import { applyEventRetention } from '../events/index.ts';

export interface RetentionOutcome {
  workspaceId: string;
  mode: 'delete' | 'anonymize';
  cutoff: string;
  events: number;
}

/**
 * Applies a workspace's retention period: events older than N days are deleted or
 * anonymized, in batches (each its own statement, so a large backlog never holds one
 * long transaction). Audited when something changed.
 */
export async function applyRetention(db: Kysely<Database>, workspaceId: string, actor: AuditActor, now = new Date()): Promise<RetentionOutcome | null> {
  const policies = await getPolicies(db, workspaceId);
  if (policies.retention_days === null) return null;
  const cutoff = new Date(now.getTime() - policies.retention_days * 86_400_000);
  let events = 0;
  for (;;) {
    const n = await applyEventRetention(db, workspaceId, cutoff, policies.retention_mode);
    events += n;
    if (n === 0) break;
  }
  const outcome = { workspaceId, mode: policies.retention_mode, cutoff: cutoff.toISOString(), events };
  if (events > 0) await recordAudit(db, { workspaceId, actor, action: 'retention.applied', objectType: 'workspace', objectId: workspaceId, details: { mode: outcome.mode, cutoff: outcome.cutoff, events } });
  return outcome;
}

/** The scheduled job: every workspace with a retention period. */
export async function applyRetentionEverywhere(db: Kysely<Database>, actor: AuditActor, now = new Date()): Promise<RetentionOutcome[]> {
  const outcomes: RetentionOutcome[] = [];
  for (const p of await listRetentionPolicies(db)) {
    const outcome = await applyRetention(db, p.workspace_id, actor, now);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}
