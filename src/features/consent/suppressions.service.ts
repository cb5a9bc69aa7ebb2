import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { Database, SuppressionReason, SuppressionScope } from '../../platform/db/schema.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { normalizeEmail } from '../contacts/index.ts';
import { getPolicies, hashEmail } from './policies.service.ts';
import * as q from './suppressions.queries.ts';
import { CHANNELS, getTopicByKey, type Channel } from './topics.service.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';

export const SUPPRESSION_REASONS: readonly SuppressionReason[] = ['hard_bounce', 'complaint', 'erased', 'manual', 'unsubscribed'];

export interface SuppressionInput {
  email: string;
  reason: SuppressionReason;
  /** A topic key (scope topic) or a channel (scope channel); neither: global. */
  topicKey?: string | undefined;
  channel?: string | undefined;
  source?: string | undefined;
  note?: string | undefined;
}

export type Suppression = Awaited<ReturnType<typeof q.selectSuppressionsFor>>[number];

const IMPORT_CHUNK = 500;

/** Adds suppressions (validated first, all or nothing) with one audit entry each. */
export async function addSuppressions(db: Kysely<Database>, workspaceId: string, inputs: SuppressionInput[], actor: AuditActor): Promise<Suppression[]> {
  const run = async (trx: Kysely<Database>) => {
    const rows = [];
    for (const [i, input] of inputs.entries()) rows.push(await toSuppressionRow(trx, workspaceId, input, inputs.length > 1 ? `rows[${i}].` : ''));
    const stored = await q.insertSuppressions(trx, rows);
    await recordAudit(
      trx,
      ...stored.map((s) => ({
        workspaceId,
        actor,
        action: 'suppression.added',
        objectType: 'suppression',
        objectId: s.id,
        details: { scope: s.scope, reason: s.reason, topic_id: s.topic_id, channel: s.channel, source: s.source },
      })),
    );
    return stored;
  };
  return inTransaction(db, run);
}

async function toSuppressionRow(db: Kysely<Database>, workspaceId: string, input: SuppressionInput, prefix: string) {
  const email = normalizeEmail(input.email);
  if (!email) throw new AppError('invalid', `${prefix}email must be an email address, got ${JSON.stringify(input.email)}`, { field: `${prefix}email` });
  if (!SUPPRESSION_REASONS.includes(input.reason) || input.reason === 'erased') {
    throw new AppError('invalid', `${prefix}reason must be one of hard_bounce, complaint, manual, unsubscribed, got ${JSON.stringify(input.reason)}`, { field: `${prefix}reason` });
  }
  if (input.topicKey && input.channel) throw new AppError('invalid', `${prefix}topic and ${prefix}channel cannot both be set: a suppression is global, per topic or per channel`);
  let scope: SuppressionScope = 'global';
  let topicId: string | null = null;
  if (input.topicKey) {
    scope = 'topic';
    topicId = (await getTopicByKey(db, workspaceId, input.topicKey)).id;
  }
  if (input.channel) {
    if (!CHANNELS.includes(input.channel as Channel)) throw new AppError('invalid', `${prefix}channel must be one of ${CHANNELS.join(', ')}, got ${JSON.stringify(input.channel)}`, { field: `${prefix}channel` });
    scope = 'channel';
  }
  return {
    workspace_id: workspaceId,
    scope,
    reason: input.reason,
    email,
    topic_id: topicId,
    channel: input.channel ?? null,
    source: input.source ?? 'api',
    note: input.note?.slice(0, 1000) ?? null,
  };
}

export interface SuppressionImportResult {
  imported: number;
  rows: number;
}

/**
 * Imports suppressions from CSV (header: email, reason, and optionally topic, channel,
 * note), streamed through csv-parse. Every row is checked before anything is stored;
 * the first bad row fails the import with its line number, and nothing is written.
 */
export async function importSuppressionsCsv(
  db: Kysely<Database>,
  workspaceId: string,
  csv: string | Buffer | NodeJS.ReadableStream,
  actor: AuditActor,
  defaults: { reason?: SuppressionReason } = {},
): Promise<SuppressionImportResult> {
  const input = typeof csv === 'string' || Buffer.isBuffer(csv) ? Readable.from([csv]) : csv;
  const parser = input.pipe(parse({ columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true, max_record_size: 10_000 }));
  const inputs: SuppressionInput[] = [];
  let line = 1;
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      line += 1;
      if (line === 2) checkHeader(Object.keys(record), defaults.reason !== undefined);
      const unknown = Object.keys(record).filter((k) => !['email', 'reason', 'topic', 'channel', 'note'].includes(k));
      if (unknown.length) throw new AppError('invalid', `CSV has unknown column(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected email, reason, topic, channel, note`);
      inputs.push({
        email: record.email ?? '',
        reason: (record.reason || defaults.reason) as SuppressionReason,
        topicKey: record.topic || undefined,
        channel: record.channel || undefined,
        note: record.note || undefined,
        source: 'csv_import',
      });
    }
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, `CSV line ${line}: ${error.message}`, { line });
    throw new AppError('invalid', `CSV is malformed near line ${line}: ${(error as Error).message}`, { line });
  }
  if (inputs.length === 0) throw new AppError('invalid', 'CSV has no rows: expected a header (email,reason,...) and at least one row');
  return db.transaction().execute(async (trx) => {
    let imported = 0;
    for (let start = 0; start < inputs.length; start += IMPORT_CHUNK) {
      const chunk = inputs.slice(start, start + IMPORT_CHUNK);
      try {
        imported += (await addSuppressions(trx, workspaceId, chunk, actor)).length;
      } catch (error) {
        if (error instanceof AppError && typeof error.details?.field === 'string') {
          const index = Number(/rows\[(\d+)\]/.exec(error.details.field)?.[1] ?? 0);
          throw new AppError(error.code, `CSV line ${start + index + 2}: ${error.message.replace(/rows\[\d+\]\./g, '')}`, { line: start + index + 2 });
        }
        throw error;
      }
    }
    return { imported, rows: inputs.length };
  });
}

function checkHeader(columns: string[], reasonDefaulted: boolean): void {
  if (!columns.includes('email')) throw new AppError('invalid', `CSV header must have an "email" column, got ${JSON.stringify(columns)}`);
  if (!reasonDefaulted && !columns.includes('reason')) throw new AppError('invalid', 'CSV header must have a "reason" column (or pass a default reason)');
}

export interface SuppressionPage {
  items: Suppression[];
  nextBeforeId: string | null;
}

export async function listSuppressions(db: Kysely<Database>, workspaceId: string, filter: q.SuppressionFilter): Promise<SuppressionPage> {
  const rows = await q.selectSuppressions(db, workspaceId, { ...filter, email: filter.email ? normalizeEmail(filter.email) ?? filter.email : undefined });
  const items = rows.slice(0, filter.limit);
  return { items, nextBeforeId: rows.length > filter.limit ? items.at(-1)!.id : null };
}

/** Lifts a manual/imported suppression; an erased person's never lifts. */
export async function removeSuppression(db: Kysely<Database>, workspaceId: string, id: string, actor: AuditActor): Promise<void> {
  if (!/^\d{1,19}$/.test(id)) throw new AppError('invalid', `suppression id must be a number, got ${JSON.stringify(id)}`, { field: 'id' });
  const run = async (trx: Kysely<Database>) => {
    const row = await q.selectSuppression(trx, workspaceId, id);
    if (!row) throw new AppError('not_found', `Suppression ${id} not found`);
    if (row.reason === 'erased') throw new AppError('forbidden', `Suppression ${id} records an erased person and cannot be lifted`);
    await q.deleteSuppression(trx, workspaceId, id);
    await recordAudit(trx, { workspaceId, actor, action: 'suppression.removed', objectType: 'suppression', objectId: id, details: { scope: row.scope, reason: row.reason } });
  };
  await inTransaction(db, run);
}

/** Every suppression that applies to an address, including an erased person's hash. */
export async function findSuppressionsFor(db: Kysely<Database>, workspaceId: string, email: string, policies?: { hash_salt: string }): Promise<Suppression[]> {
  policies ??= await getPolicies(db, workspaceId);
  const normalized = email.trim().toLowerCase();
  return q.selectSuppressionsFor(db, workspaceId, normalized, hashEmail(policies, normalized));
}

/** findSuppressionsFor of many addresses in one query; the map is keyed by each address as given. */
export async function findSuppressionsForEmails(db: Kysely<Database>, workspaceId: string, emails: readonly string[], policies: { hash_salt: string }): Promise<Map<string, Suppression[]>> {
  const keys = new Map(emails.map((e) => [e, { email: e.trim().toLowerCase(), hash: hashEmail(policies, e) }]));
  const rows = await q.selectSuppressionsForMany(db, workspaceId, [...new Set([...keys.values()].map((k) => k.email))], [...new Set([...keys.values()].map((k) => k.hash))]);
  return new Map([...keys].map(([given, k]) => [given, rows.filter((r) => r.email === k.email || r.email_hash === k.hash)]));
}

/**
 * The ingest/import hook: which of these addresses belong to erased people, who must
 * not be re-created. One query per chunk.
 */
export async function findErasedEmails(db: Kysely<Database>, workspaceId: string, emails: string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const policies = await getPolicies(db, workspaceId);
  const byHash = new Map(emails.map((e) => [hashEmail(policies, e), e]));
  const erased = await q.selectErasedHashes(db, workspaceId, [...byHash.keys()]);
  return new Set([...erased].map((h) => byHash.get(h)!));
}

/** Erasure: the address's suppressions are replaced by one global `erased` entry holding only its salted hash. */
export async function replaceWithErasedHash(db: Kysely<Database>, workspaceId: string, email: string): Promise<string> {
  const policies = await getPolicies(db, workspaceId);
  const normalized = email.trim().toLowerCase();
  const emailHash = hashEmail(policies, normalized);
  await q.deleteSuppressionsOfEmail(db, workspaceId, normalized);
  const already = await q.selectErasedHashes(db, workspaceId, [emailHash]);
  if (already.size === 0) {
    await q.insertSuppressions(db, [{ workspace_id: workspaceId, scope: 'global', reason: 'erased', email: null, email_hash: emailHash, source: 'erasure' }]);
  }
  return emailHash;
}

export const countSuppressions = (db: Kysely<Database>, workspaceId: string) => q.countSuppressionsByReason(db, workspaceId);

const E164 = /^\+[1-9]\d{6,14}$/;

/** SMS opt-outs (STOP) and any suppression keyed by a phone number in E.164. */
export async function findPhoneSuppressions(db: Kysely<Database>, workspaceId: string, phone: string): Promise<Suppression[]> {
  return q.selectSuppressionsForPhone(db, workspaceId, phone);
}

/** A phone number's opt-out of the SMS channel (scope channel sms), audited. */
export async function addSmsOptOut(db: Kysely<Database>, workspaceId: string, input: { phone: string; source: string; note?: string }, actor: AuditActor): Promise<Suppression> {
  if (typeof input.phone !== 'string' || !E164.test(input.phone)) throw new AppError('invalid', `phone must be an E.164 number such as +14155550100, got ${JSON.stringify(input.phone)}`, { field: 'phone' });
  return inTransaction(db, async (trx) => {
    const [row] = await q.insertSuppressions(trx, [{ workspace_id: workspaceId, scope: 'channel', channel: 'sms', reason: 'unsubscribed', phone: input.phone, source: input.source, note: input.note?.slice(0, 1000) ?? null }]);
    await recordAudit(trx, { workspaceId, actor, action: 'suppression.added', objectType: 'suppression', objectId: row!.id, details: { scope: 'channel', reason: 'unsubscribed', channel: 'sms', source: input.source } });
    return row!;
  });
}

/** START / UNSTOP: lifts the number's SMS opt-outs; returns how many. */
export async function liftSmsOptOuts(db: Kysely<Database>, workspaceId: string, phone: string, actor: AuditActor): Promise<number> {
  return inTransaction(db, async (trx) => {
    const removed = await q.deleteSmsOptOutsOfPhone(trx, workspaceId, phone);
    await recordAudit(trx, ...removed.map((r) => ({ workspaceId, actor, action: 'suppression.removed', objectType: 'suppression', objectId: r.id, details: { scope: 'channel', channel: 'sms', reason: 'unsubscribed' } })));
    return removed.length;
  });
}

/** Erasure: suppressions keyed by the person's phone numbers. */
export const deletePhoneSuppressions = (db: Kysely<Database>, workspaceId: string, phones: string[]) => q.deleteSuppressionsOfPhones(db, workspaceId, phones);
