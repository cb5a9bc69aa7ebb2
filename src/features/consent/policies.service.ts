import { createHmac, createPrivateKey, randomBytes } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database, RetentionMode, WorkspacePoliciesTable } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { WorkspaceCache } from '../../platform/workspace-cache.ts';
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

/**
 * The send path's cache of policies (see send-settings.ts): for SETTINGS_TTL_MS, dropped at
 * once by updatePolicies in this process.
 */
export const POLICY_CACHE = new WorkspaceCache<WorkspacePolicies>();

/** What the API and CLI show: the secrets and the SMTP password stay inside. */
export function presentPolicies(p: WorkspacePolicies) {
  const { signing_secret: _s, hash_salt: _h, smtp_url, workspace_id: _w, webhook_secret, sms_token, sms_inbound_secret, dkim_private_key, ...shown } = p;
  return {
    ...shown,
    smtp_url: smtp_url ? smtp_url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@') : null,
    webhook_secret_set: webhook_secret !== null,
    sms_token_set: sms_token !== null,
    sms_inbound_secret_set: sms_inbound_secret !== null,
    dkim_private_key_set: dkim_private_key !== null,
  };
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
  /** Per-channel caps; max_per_day / max_per_week count email and SMS together. */
  emailMaxPerDay?: number | null;
  emailMaxPerWeek?: number | null;
  smsMaxPerDay?: number | null;
  smsMaxPerWeek?: number | null;
  /** Journey messages with a lower priority may not take the last free slot of a cap (0-101). */
  capReservePriority?: number;
  /** HMAC key of X-Keel-Signature (at least 24 characters); hidden once saved. */
  webhookSecret?: string | null;
  /** Host names webhooks may be posted to (exact, lower case; "*.example.com" for subdomains). */
  webhookAllowedHosts?: string[];
  sms?: { baseUrl: string; account: string; token: string; from: string } | null;
  /** Secret part of the inbound SMS URL /sms/inbound/{workspace}/{secret} (at least 24 characters). */
  smsInboundSecret?: string | null;
  /** privateKey: an RSA PEM key (nodemailer signs rsa-sha256). */
  dkim?: { domain: string; selector: string; privateKey: string } | null;
}

const SECRET_FIELDS = new Set(['smtp_url', 'webhook_secret', 'sms_token', 'sms_inbound_secret', 'dkim_private_key']);

const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Changes settings (validated, audited in the same transaction). */
export async function updatePolicies(db: Kysely<Database>, workspaceId: string, changes: PolicyChanges, actor: AuditActor) {
  const set = toPolicyRow(changes);
  POLICY_CACHE.invalidate(workspaceId);
  const shown = await db.transaction().execute(async (trx) => {
    await getPolicies(trx, workspaceId);
    await q.updatePolicyRow(trx, workspaceId, set);
    const shown = Object.keys(set).filter((k) => !SECRET_FIELDS.has(k));
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
  // Again after the commit: a send that read the old row meanwhile must not keep it.
  POLICY_CACHE.invalidate(workspaceId);
  return shown;
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
  Object.assign(set, toChannelSettings(c));
  return set;
}

function toChannelSettings(c: PolicyChanges): Updateable<WorkspacePoliciesTable> {
  const set: Updateable<WorkspacePoliciesTable> = {};
  if (c.emailMaxPerDay !== undefined) set.email_max_per_day = optionalCount(c.emailMaxPerDay, 'emailMaxPerDay');
  if (c.emailMaxPerWeek !== undefined) set.email_max_per_week = optionalCount(c.emailMaxPerWeek, 'emailMaxPerWeek');
  if (c.smsMaxPerDay !== undefined) set.sms_max_per_day = optionalCount(c.smsMaxPerDay, 'smsMaxPerDay');
  if (c.smsMaxPerWeek !== undefined) set.sms_max_per_week = optionalCount(c.smsMaxPerWeek, 'smsMaxPerWeek');
  if (c.capReservePriority !== undefined) {
    if (!Number.isInteger(c.capReservePriority) || c.capReservePriority < 0 || c.capReservePriority > 101) throw invalid('capReservePriority', `must be an integer from 0 to 101, got ${JSON.stringify(c.capReservePriority)}`);
    set.cap_reserve_priority = c.capReservePriority;
  }
  if (c.webhookSecret !== undefined) set.webhook_secret = optionalSecret(c.webhookSecret, 'webhookSecret');
  if (c.smsInboundSecret !== undefined) set.sms_inbound_secret = optionalSecret(c.smsInboundSecret, 'smsInboundSecret');
  if (c.webhookAllowedHosts !== undefined) set.webhook_allowed_hosts = checkHosts(c.webhookAllowedHosts);
  if (c.sms !== undefined) Object.assign(set, toSmsProvider(c.sms));
  if (c.dkim !== undefined) Object.assign(set, toDkim(c.dkim));
  return set;
}

const HOST = /^(\*\.)?(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

function checkHosts(hosts: unknown): string[] {
  if (!Array.isArray(hosts) || hosts.length > 100) throw invalid('webhookAllowedHosts', 'must be a list of at most 100 host names');
  return [...new Set(hosts.map((h, i) => {
    const host = typeof h === 'string' ? h.trim().toLowerCase() : '';
    if (!HOST.test(host)) throw invalid(`webhookAllowedHosts[${i}]`, `must be a host name such as "hooks.example.com" or "*.example.com" (optionally with :port), got ${JSON.stringify(h)}`);
    return host;
  }))];
}

function toSmsProvider(sms: PolicyChanges['sms']): Updateable<WorkspacePoliciesTable> {
  if (sms === null || sms === undefined) return { sms_base_url: null, sms_account: null, sms_token: null, sms_from: null };
  let url: URL;
  try {
    url = new URL(sms.baseUrl);
  } catch {
    throw invalid('sms.baseUrl', `must be an http(s) URL, got ${JSON.stringify(String(sms.baseUrl).slice(0, 80))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('sms.baseUrl', `must be an http(s) URL, got ${JSON.stringify(sms.baseUrl.slice(0, 80))}`);
  const text = (v: unknown, field: string) => {
    if (typeof v !== 'string' || v.trim() === '' || v.length > 500) throw invalid(field, 'must be 1 to 500 characters');
    return v.trim();
  };
  const from = text(sms.from, 'sms.from');
  if (!/^\+[1-9]\d{6,14}$/.test(from) && !/^[A-Za-z0-9 ]{1,11}$/.test(from)) throw invalid('sms.from', `must be an E.164 number (+14155550100) or an alphanumeric sender id of at most 11 characters, got ${JSON.stringify(from)}`);
  return { sms_base_url: url.toString().replace(/\/+$/, ''), sms_account: text(sms.account, 'sms.account'), sms_token: text(sms.token, 'sms.token'), sms_from: from };
}

function toDkim(dkim: PolicyChanges['dkim']): Updateable<WorkspacePoliciesTable> {
  if (dkim === null || dkim === undefined) return { dkim_domain: null, dkim_selector: null, dkim_private_key: null };
  const domain = typeof dkim.domain === 'string' ? dkim.domain.trim().toLowerCase() : '';
  if (!HOST.test(domain) || domain.includes('*') || domain.includes(':')) throw invalid('dkim.domain', `must be a domain such as "acme.example", got ${JSON.stringify(dkim.domain)}`);
  if (typeof dkim.selector !== 'string' || !/^[a-z0-9][a-z0-9._-]{0,62}$/i.test(dkim.selector)) throw invalid('dkim.selector', `must be a DNS label such as "keel2026", got ${JSON.stringify(dkim.selector)}`);
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(String(dkim.privateKey));
  } catch (error) {
    throw invalid('dkim.privateKey', `must be a PEM private key (RSA): ${(error as Error).message}`);
  }
  // nodemailer signs rsa-sha256 only; receivers ignore RSA keys under 1024 bits (RFC 8301).
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (key.asymmetricKeyType !== 'rsa' || bits < 1024) throw invalid('dkim.privateKey', `must be an RSA key of at least 1024 bits (2048 recommended), got ${key.asymmetricKeyType} ${bits ? `${bits} bits` : ''}`.trim());
  return { dkim_domain: domain, dkim_selector: dkim.selector, dkim_private_key: String(dkim.privateKey).trim() };
}

function optionalSecret(value: string | null, field: string): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length < 24 || value.length > 500 || /\s/.test(value)) throw invalid(field, 'must be 24 to 500 characters without spaces');
  return value;
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
