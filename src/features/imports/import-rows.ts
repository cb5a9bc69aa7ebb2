import { createHash } from 'node:crypto';
import { extractAccountFields, domainOf, type AccountFields } from '../accounts/index.ts';
import { extractContactFields, normalizeEmail, type ContactFields } from '../contacts/index.ts';
import { validateEvent, type AcceptedEvent } from '../ingest/index.ts';
import type { FieldIssue } from '../normalization/index.ts';
import type { HeaderMapping } from './header-mapping.ts';
import type { CsvRecord } from './csv-input.ts';

/** Why one row was not imported; `column` is the CSV column at fault, when there is one. */
export interface Refusal {
  row: number;
  line: number;
  column: string | null;
  value: string | null;
  reason: string;
}

/** A row's values by target (core field or `trait.x` / `property.x`), empty cells left out. */
export interface MappedRow {
  row: number;
  line: number;
  values: Map<string, string>;
  /** target -> the CSV column it came from, to name the column in a refusal. */
  columnOf: (target: string) => string | null;
}

export type Converted<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

const MAX_CELL = 10_000;

/** Applies the mapping to one record; a wrong field count is a refusal. */
export function mapRecord(record: CsvRecord, header: string[], mapping: HeaderMapping): Converted<MappedRow> {
  const refuse = (column: string | null, value: string | null, reason: string): Converted<MappedRow> => ({
    ok: false,
    refusal: { row: record.row, line: record.line, column, value, reason },
  });
  if (record.values.length !== header.length) {
    return refuse(null, null, `row has ${record.values.length} fields; the header has ${header.length}`);
  }
  const values = new Map<string, string>();
  const columns = new Map<string, string>();
  for (let i = 0; i < header.length; i += 1) {
    const column = header[i]!;
    const target = mapping[column];
    if (!target || target === 'ignore') continue;
    const value = record.values[i]!.trim();
    if (value === '') continue;
    if (value.length > MAX_CELL) return refuse(column, `${value.slice(0, 50)}...`, `value is ${value.length} characters; the limit is ${MAX_CELL}`);
    if (value.includes('\u0000')) return refuse(column, value.split('\u0000').join('\\0').slice(0, 200), 'value contains a NUL character');
    values.set(target, value);
    columns.set(target, column);
  }
  return { ok: true, value: { row: record.row, line: record.line, values, columnOf: (t) => columns.get(t) ?? null } };
}

function refuse<T>(row: MappedRow, target: string | null, reason: string): Converted<T> {
  const column = target ? row.columnOf(target) : null;
  return { ok: false, refusal: { row: row.row, line: row.line, column, value: target ? (row.values.get(target) ?? null) : null, reason } };
}

function customOf(row: MappedRow, prefix: string): Record<string, string> {
  const custom: Record<string, string> = {};
  for (const [target, value] of row.values) if (target.startsWith(prefix)) custom[target.slice(prefix.length)] = value;
  return custom;
}

export interface ContactImportRow {
  row: number;
  email: string | null;
  userId: string | null;
  fields: ContactFields;
  traits: Record<string, unknown>;
  /** Values normalization refused (kept out of the columns, recorded as validation issues). */
  issues: FieldIssue[];
}

/** A contacts row through the same trait mapping as identify calls (extractContactFields). */
export function convertContactRow(row: MappedRow): Converted<ContactImportRow> {
  const rawEmail = row.values.get('email');
  const email = rawEmail === undefined ? undefined : normalizeEmail(rawEmail);
  if (rawEmail !== undefined && !email) return refuse(row, 'email', `email ${JSON.stringify(rawEmail)} is not an email address`);
  const userId = row.values.get('user_id') ?? null;
  if (!email && !userId) return refuse(row, null, 'row has no email and no user id: nothing to match or create a contact by');
  const traits: Record<string, unknown> = { ...customOf(row, 'trait.') };
  for (const key of ['email', 'first_name', 'last_name', 'name', 'phone', 'title', 'company', 'country', 'timezone']) {
    const value = row.values.get(key);
    if (value !== undefined) traits[key] = key === 'email' ? email : value;
  }
  const { fields, custom, issues } = extractContactFields(traits);
  return { ok: true, value: { row: row.row, email: email ?? null, userId, fields, traits: custom, issues } };
}

export interface AccountImportRow {
  row: number;
  externalId: string | null;
  domain: string | null;
  fields: AccountFields;
  traits: Record<string, unknown>;
}

/** An accounts row through the same trait mapping as group calls (extractAccountFields). */
export function convertAccountRow(row: MappedRow): Converted<AccountImportRow> {
  const traits: Record<string, unknown> = { ...customOf(row, 'trait.') };
  for (const key of ['name', 'domain', 'industry', 'employees', 'annual_revenue', 'country']) {
    const value = row.values.get(key);
    if (value !== undefined) traits[key] = value;
  }
  const { fields, custom } = extractAccountFields(traits);
  // A core column whose value did not parse is refused rather than kept as a trait: the
  // user mapped it to that field, so a silent fallback would hide the bad value.
  for (const key of ['domain', 'employees', 'annual_revenue'] as const) {
    if (row.values.has(key) && fields[key] === undefined) {
      const what = key === 'domain' ? 'a domain or website' : 'a non-negative number';
      return refuse(row, key, `${key} ${JSON.stringify(row.values.get(key))} is not ${what}`);
    }
  }
  const externalId = row.values.get('external_id') ?? null;
  if (!externalId && !fields.domain) return refuse(row, null, 'row has no external id and no domain: nothing to match or create an account by');
  return { ok: true, value: { row: row.row, externalId, domain: fields.domain ?? null, fields, traits: custom } };
}

export interface OpportunityImportRow {
  row: number;
  externalId: string;
  accountExternalId: string | null;
  accountDomain: string | null;
  name: string;
  amount: string;
  currency: string;
  stage: string;
  status: 'open' | 'won' | 'lost' | undefined;
  createdDate: string;
  closedDate: string | null;
}

/** Opportunities need an external id (the upsert key) and an account to belong to. */
export function convertOpportunityRow(row: MappedRow): Converted<OpportunityImportRow> {
  const externalId = row.values.get('external_id');
  if (!externalId) return refuse(row, null, 'row has no external_id: opportunities are matched by it, so a re-import would duplicate the row');
  const accountExternalId = row.values.get('account_external_id') ?? null;
  const rawDomain = row.values.get('account_domain');
  const accountDomain = rawDomain === undefined ? null : (domainOf(rawDomain) ?? null);
  if (rawDomain !== undefined && !accountDomain) return refuse(row, 'account_domain', `account_domain ${JSON.stringify(rawDomain)} is not a domain or website`);
  if (!accountExternalId && !accountDomain) return refuse(row, null, 'row has no account_external_id and no account_domain: the opportunity needs an account');
  for (const key of ['name', 'amount', 'stage', 'created_date']) {
    if (!row.values.has(key)) return refuse(row, null, `${key} is required (map a column to it)`);
  }
  const rawStatus = row.values.get('status')?.toLowerCase();
  if (rawStatus !== undefined && rawStatus !== 'open' && rawStatus !== 'won' && rawStatus !== 'lost') {
    return refuse(row, 'status', `status ${JSON.stringify(row.values.get('status'))} must be open, won or lost`);
  }
  return {
    ok: true,
    value: {
      row: row.row,
      externalId,
      accountExternalId,
      accountDomain,
      name: row.values.get('name')!,
      amount: row.values.get('amount')!.replace(/[,\s$€£]/g, ''),
      currency: (row.values.get('currency') ?? 'USD').toUpperCase(),
      stage: row.values.get('stage')!,
      status: rawStatus,
      createdDate: row.values.get('created_date')!,
      closedDate: row.values.get('closed_date') ?? null,
    },
  };
}

/**
 * A track event through the ingest validator. Without a message_id column, the id is a
 * hash of the row's mapped values: importing the same file again stores nothing twice.
 */
export function convertEventRow(row: MappedRow, receivedAt: string): Converted<AcceptedEvent> {
  if (!row.values.has('event')) return refuse(row, null, 'event (the event name) is required');
  if (!row.values.has('timestamp')) return refuse(row, null, 'timestamp is required');
  const email = row.values.get('email');
  const normalized = email === undefined ? undefined : normalizeEmail(email);
  if (email !== undefined && !normalized) return refuse(row, 'email', `email ${JSON.stringify(email)} is not an email address`);
  const properties = customOf(row, 'property.');
  const messageId = row.values.get('message_id') ?? `csv-${createHash('sha256').update(JSON.stringify([...row.values].sort())).digest('hex').slice(0, 32)}`;
  const raw = {
    type: 'track',
    event: row.values.get('event'),
    timestamp: row.values.get('timestamp'),
    userId: row.values.get('user_id'),
    // Segment needs a userId or an anonymousId; a row known only by email gets the email as
    // its anonymous id, and identity resolution attaches it to the contact of that email.
    anonymousId: row.values.get('anonymous_id') ?? (row.values.has('user_id') ? undefined : normalized),
    messageId,
    properties,
    context: normalized ? { traits: { email: normalized } } : {},
  };
  const result = validateEvent({ raw, type: 'track', receivedAt: new Date(receivedAt), batchSentAt: undefined, batchContext: undefined });
  if (!result.ok) {
    const target = result.field === 'event' ? 'event' : result.field === 'timestamp' ? 'timestamp' : result.field === 'userId' ? 'user_id' : null;
    return refuse(row, target, result.reason);
  }
  return { ok: true, value: result.event };
}
