import { createHmac, randomBytes } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database, RetentionMode, WorkspacePoliciesTable } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import * as q from './policies.queries.ts';

export type WorkspacePolicies = Awaited<ReturnType<typeof getPolicies>>;

/** Texts of the hosted pages; a workspace overrides any of them. */
export const DEFAULT_PAGE_TEXTS: Readonly<Record<string, string>> = Object.freeze({
  preferences_title: 'Your email preferences',
  preferences_intro: 'Choose what you would like to hear from us about, and where.',
  preferences_saved: 'Your preferences are saved.',
  unsubscribe_all_label: 'Unsubscribe from everything',
  unsubscribe_title: 'Unsubscribe',
  unsubscribe_question: 'Stop receiving these emails?',
  unsubscribe_done: 'You are unsubscribed. It takes effect at once.',
  confirm_title: 'Confirm your subscription',
  confirm_question: 'Please confirm that you want to receive these emails.',
  confirm_done: 'Thank you: your subscription is confirmed.',
  save_label: 'Save preferences',
});

/**
 * The workspace's sending and privacy settings. The signing secret and hash salt are
 * generated on first use and never leave the database (nor the API).
 */
export async function getPolicies(db: Kysely<Database>, workspaceId: string) {
  let row = await q.selectPolicies(db, workspaceId);
  if (!row) {
    await q.insertPoliciesIfMissing(db, workspaceId, randomBytes(32).toString('hex'), randomBytes(32).toString('hex'));
    row = await q.selectPolicies(db, workspaceId);
  }
  if (!row) throw new AppError('not_found', `Workspace ${workspaceId} not found`);
  return { ...row, page_texts: { ...DEFAULT_PAGE_TEXTS, ...row.page_texts } };
}

/** What the API and CLI show: the secrets and the SMTP password stay inside. */
export function presentPolicies(p: WorkspacePolicies) {
  const { signing_secret: _s, hash_salt: _h, smtp_url, workspace_id: _w, ...shown } = p;
  return { ...shown, smtp_url: smtp_url ? smtp_url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : null };
}

export interface PolicyChanges {
  senderName?: string | null;
  senderEmail?: string | null;
  postalAddress?: string | null;
  unsubscribeMailbox?: string | null;
  pageTexts?: Record<string, string>;
  maxPerDay?: number | null;
  maxPerWeek?: number | null;
  quietHours?: { start: string; end: string; timezone?: string } | null;
  smtpUrl?: string | null;
  retentionDays?: number | null;
  retentionMode?: RetentionMode;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Changes settings (validated, audited in the same transaction). */
export async function updatePolicies(db: Kysely<Database>, workspaceId: string, changes: PolicyChanges, actor: AuditActor) {
  const set = toPolicyRow(changes);
  return db.transaction().execute(async (trx) => {
    await getPolicies(trx, workspaceId);
    await q.updatePolicyRow(trx, workspaceId, set);
    const shown = Object.keys(set).filter((k) => k !== 'smtp_url');
    await recordAudit(trx, {
      workspaceId,
      actor,
      action: 'policies.updated',
      objectType: 'workspace_policies',
      objectId: workspaceId,
      details: { changed: Object.keys(set), values: Object.fromEntries(shown.map((k) => [k, set[k as keyof typeof set]])) },
    });
    return presentPolicies(await getPolicies(trx, workspaceId));
  });
}

function toPolicyRow(c: PolicyChanges): Updateable<WorkspacePoliciesTable> {
  const set: Updateable<WorkspacePoliciesTable> = {};
  if (c.senderName !== undefined) set.sender_name = optionalText(c.senderName, 'senderName', 200);
  if (c.senderEmail !== undefined) set.sender_email = optionalEmail(c.senderEmail, 'senderEmail');
  if (c.postalAddress !== undefined) set.postal_address = optionalText(c.postalAddress, 'postalAddress', 500);
  if (c.unsubscribeMailbox !== undefined) set.unsubscribe_mailbox = optionalEmail(c.unsubscribeMailbox, 'unsubscribeMailbox');
  if (c.pageTexts !== undefined) {
    for (const [key, value] of Object.entries(c.pageTexts)) {
      if (!(key in DEFAULT_PAGE_TEXTS)) throw invalid('pageTexts', `has an unknown text ${JSON.stringify(key)}; known: ${Object.keys(DEFAULT_PAGE_TEXTS).join(', ')}`);
      if (typeof value !== 'string' || value.length > 2000) throw invalid(`pageTexts.${key}`, 'must be a string of at most 2000 characters');
    }
    set.page_texts = JSON.stringify(c.pageTexts);
  }
  if (c.maxPerDay !== undefined) set.max_per_day = optionalCount(c.maxPerDay, 'maxPerDay');
  if (c.maxPerWeek !== undefined) set.max_per_week = optionalCount(c.maxPerWeek, 'maxPerWeek');
  if (c.quietHours !== undefined) Object.assign(set, toQuietHours(c.quietHours));
  if (c.smtpUrl !== undefined) {
    if (c.smtpUrl !== null && !/^smtps?:\/\/[^\s]+$/.test(c.smtpUrl)) throw invalid('smtpUrl', `must be an smtp:// or smtps:// URL, got ${JSON.stringify(c.smtpUrl.slice(0, 40))}`);
    set.smtp_url = c.smtpUrl;
  }
  if (c.retentionDays !== undefined) set.retention_days = optionalCount(c.retentionDays, 'retentionDays');
  if (c.retentionMode !== undefined) {
    if (c.retentionMode !== 'delete' && c.retentionMode !== 'anonymize') throw invalid('retentionMode', `must be "delete" or "anonymize", got ${JSON.stringify(c.retentionMode)}`);
    set.retention_mode = c.retentionMode;
  }
  return set;
}

function toQuietHours(h: PolicyChanges['quietHours']): Updateable<WorkspacePoliciesTable> {
  if (h === null || h === undefined) return { quiet_start_minute: null, quiet_end_minute: null };
  const minute = (value: string, field: string) => {
    const m = TIME.exec(value);
    if (!m) throw invalid(field, `must be a time HH:MM (24 h), got ${JSON.stringify(value)}`);
    return Number(m[1]) * 60 + Number(m[2]);
  };
  const timezone = h.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) throw invalid('quietHours.timezone', `must be an IANA time zone such as "Europe/Paris", got ${JSON.stringify(timezone)}`);
  const start = minute(h.start, 'quietHours.start');
  const end = minute(h.end, 'quietHours.end');
  if (start === end) throw invalid('quietHours', 'start and end must differ');
  return { quiet_start_minute: start, quiet_end_minute: end, quiet_timezone: timezone };
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The salted hash kept for an erased person's email: comparable, not reversible. */
export function hashEmail(policies: Pick<WorkspacePolicies, 'hash_salt'>, email: string): string {
  return createHmac('sha256', policies.hash_salt).update(email.trim().toLowerCase()).digest('hex');
}

function invalid(field: string, message: string): AppError {
  return new AppError('invalid', `${field} ${message}`, { field });
}

function optionalText(value: string | null, field: string, max: number): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) throw invalid(field, `must be 1 to ${max} characters, got ${JSON.stringify(value)}`);
  return value.trim();
}

function optionalEmail(value: string | null, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())) throw invalid(field, `must be an email address, got ${JSON.stringify(value)}`);
  return value.trim().toLowerCase();
}

function optionalCount(value: number | null, field: string): number | null {
  if (value === null) return null;
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw invalid(field, `must be an integer from 1 to 100000, got ${JSON.stringify(value)}`);
  return value;
}

/** Workspaces with a retention period (for the scheduled retention job). */
export const listRetentionPolicies = (db: Kysely<Database>) => q.selectRetentionPolicies(db);
