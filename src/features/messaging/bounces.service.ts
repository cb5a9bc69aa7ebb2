import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import { systemActor, type AuditActor } from '../audit/index.ts';
import { enqueueAudienceWork } from '../audiences/index.ts';
import { addSuppressions, findSuppressionsFor } from '../consent/index.ts';
import { findContactIdsByEmail, normalizeEmail } from '../contacts/index.ts';
import { storeEvents } from '../events/index.ts';
import { selectLatestEmailTo, selectMessage, updateMessage } from './messages.queries.ts';

export type BounceKind = 'hard' | 'soft' | 'complaint';

/** A bounce or complaint: from the SMTP answer, or reported later by an ESP (POST /api/v1/bounces). */
export interface BounceReport {
  email: string;
  kind: BounceKind;
  /** Keel's message id when known (the ESP echoes it from the Message-ID or X-Keel-Message-Id header). */
  messageId?: string | undefined;
  /** The ESP's own event id: a report sent twice records one event. */
  eventId?: string | undefined;
  diagnostic?: string | undefined;
  source: string;
  at?: Date | undefined;
}

export interface BounceResult {
  email: string;
  kind: BounceKind;
  suppressed: boolean;
  contactIds: string[];
  messageId: string | null;
  events: number;
}

const SYSTEM = systemActor('messaging');

/**
 * Records what a bounce or complaint means, in one transaction: a hard bounce suppresses
 * the address for email (reason hard_bounce), a complaint too (reason complaint); a soft
 * bounce suppresses nothing. Each becomes an event on the contact (`Email Bounced` with
 * type hard|soft, or `Email Complained`) that scoring and segments see, and the message
 * row, when known, shows status bounced.
 */
export async function recordBounce(db: Kysely<Database>, workspaceId: string, report: BounceReport, actor: AuditActor = SYSTEM): Promise<BounceResult> {
  const email = normalizeEmail(report.email);
  if (!email) throw new AppError('invalid', `email must be an email address, got ${JSON.stringify(report.email)}`, { field: 'email' });
  if (!['hard', 'soft', 'complaint'].includes(report.kind)) throw new AppError('invalid', `type must be hard, soft or complaint, got ${JSON.stringify(report.kind)}`, { field: 'type' });
  return inTransaction(db, async (trx) => {
    const message = report.messageId && /^[0-9a-f-]{36}$/i.test(report.messageId) ? await selectMessage(trx, workspaceId, report.messageId) : await selectLatestEmailTo(trx, workspaceId, email);
    const suppressed = report.kind !== 'soft' && (await suppressEmail(trx, workspaceId, email, report.kind === 'hard' ? 'hard_bounce' : 'complaint', report, actor));
    if (message && report.kind === 'hard') await updateMessage(trx, workspaceId, message.id, { status: 'bounced', next_attempt_at: null, last_error: (report.diagnostic ?? 'hard bounce').slice(0, 1000) });
    const contactIds = message?.contact_id ? [message.contact_id] : await findContactIdsByEmail(trx, workspaceId, email);
    const at = (report.at ?? new Date()).toISOString();
    const name = report.kind === 'complaint' ? 'Email Complained' : 'Email Bounced';
    const rows = contactIds.map((contactId) => ({
      message_id: `keel-${report.kind}-${report.eventId ?? message?.id ?? randomUUID()}-${contactId}`,
      type: 'track' as const, name, contact_id: contactId, user_id: null, anonymous_id: null, group_id: null,
      properties: {
        ...(report.kind === 'complaint' ? {} : { type: report.kind }),
        message_id: message?.id ?? report.messageId ?? null, journey_id: message?.journey_id ?? null, step_id: message?.step_id ?? null, variant: message?.variant ?? null,
        diagnostic: report.diagnostic?.slice(0, 500) ?? null, source: report.source,
      },
      traits: {}, context: {}, page_url: null, referrer: null, utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null,
      timestamp: at, original_timestamp: null, sent_at: null, received_at: at,
    }));
    const events = await storeEvents(trx, workspaceId, rows);
    await enqueueAudienceWork(trx, workspaceId, { contactIds });
    return { email, kind: report.kind, suppressed, contactIds, messageId: message?.id ?? null, events };
  });
}

async function suppressEmail(db: Kysely<Database>, workspaceId: string, email: string, reason: 'hard_bounce' | 'complaint', report: BounceReport, actor: AuditActor): Promise<boolean> {
  const existing = await findSuppressionsFor(db, workspaceId, email);
  if (existing.some((s) => s.reason === reason && (s.scope === 'global' || s.channel === 'email'))) return true;
  await addSuppressions(db, workspaceId, [{ email, reason, channel: 'email', source: report.source, note: report.diagnostic?.slice(0, 500) }], actor);
  return true;
}
