import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { countExactDuplicateAccounts, profileAccountQuality } from '../accounts/index.ts';
import { countExactDuplicateContacts, findLeastCompleteContacts, profileContactQuality } from '../contacts/index.ts';
import { summarizeViolations, type ViolationSummary } from '../tracking-plan/index.ts';
import * as q from './data-health.queries.ts';
import { ACCOUNT_FIELD_CHECKS, CONTACT_FIELD_CHECKS } from './field-checks.ts';
import { computeHealthScore, shareOf, type HealthScore } from './health-score.ts';
import type { HealthSources } from './health-sources.ts';

export interface HealthOptions {
  /** Records not seen or updated for this many days are stale. Default 180. */
  staleDays?: number | undefined;
  /** Tracking-plan violations are counted over this many days (event time). Default 30. */
  windowDays?: number | undefined;
  sources?: HealthSources | undefined;
  now?: Date | undefined;
}

export interface FieldHealth {
  entity: 'contacts' | 'accounts';
  field: string;
  check: string;
  filled: number;
  missing: number;
  invalid: number;
  completeness: number | null;
  validity: number | null;
  invalid_examples: Array<{ id: string; value: string }>;
}

export interface HealthReport {
  generated_at: string;
  stale_days: number;
  window_days: number;
  score: HealthScore;
  records: { known_contacts: number; accounts: number };
  fields: FieldHealth[];
  duplicates: { method: string; contacts: number; accounts: number; rate: number | null; detail: Record<string, unknown> };
  tracking_plan: ViolationSummary & { violation_rate: number | null };
  stale: { contacts: number; accounts: number; rate: number | null };
  consent: { available: boolean; contacts_without_consent: number | null; note: string; examples: string[] };
  worst_offenders: { fields: FieldHealth[]; records: Array<{ id: string; email: string | null; blank_fields: number }>; rules: ViolationSummary['worst'] };
  trend: Array<{ day: string; score: number; figures: Record<string, unknown> }>;
}

const DAY_MS = 86_400_000;

/**
 * The data-health report of a workspace: completeness and validity per core field,
 * duplicates, tracking-plan violations, stale records, contacts without consent, the worst
 * offenders, the trend of daily snapshots, and one score (formula in `score.formula`).
 *
 * @example
 * const report = await buildHealthReport(db, workspaceId, { staleDays: 90 });
 */
export async function buildHealthReport(db: Kysely<Database>, workspaceId: string, options: HealthOptions = {}): Promise<HealthReport> {
  const now = options.now ?? new Date();
  const staleDays = checkedDays(options.staleDays ?? 180, 'stale_days');
  const windowDays = checkedDays(options.windowDays ?? 30, 'window_days');
  const staleBefore = new Date(now.getTime() - staleDays * DAY_MS);
  const sources = options.sources ?? {};
  const contacts = await profileContactQuality(db, workspaceId, CONTACT_FIELD_CHECKS, staleBefore);
  const accounts = await profileAccountQuality(db, workspaceId, ACCOUNT_FIELD_CHECKS, staleBefore);
  const fields = await collectFieldHealth(db, workspaceId, contacts, accounts, sources);
  const duplicates = await measureDuplicates(db, workspaceId, sources, contacts.known + accounts.total);
  const plan = await summarizeViolations(db, workspaceId, new Date(now.getTime() - windowDays * DAY_MS).toISOString().slice(0, 10));
  const consent = await measureConsent(db, workspaceId, sources);
  const records = contacts.known + accounts.total;
  const filled = fields.reduce((sum, f) => sum + f.filled, 0);
  const score = computeHealthScore({
    completeness: { value: mean(fields.map((f) => f.completeness)) },
    validity: { value: shareOf(filled - fields.reduce((sum, f) => sum + f.invalid, 0), filled) },
    uniqueness: { value: duplicates.rate === null ? null : 1 - duplicates.rate, note: duplicates.method },
    conformance: { value: plan.checked > 0 ? 1 - plan.violating / plan.checked : null, ...(plan.checked === 0 ? { note: 'no events checked against a tracking plan in the window' } : {}) },
    freshness: { value: shareOf(records - contacts.stale - accounts.stale, records) },
    consent: { value: consent.available ? shareOf(contacts.known - consent.contacts_without_consent!, contacts.known) : null, note: consent.note },
  });
  const worstFields = [...fields].sort((a, b) => b.missing + b.invalid - (a.missing + a.invalid)).filter((f) => f.missing + f.invalid > 0).slice(0, 5);
  const leastComplete = await findLeastCompleteContacts(db, workspaceId, CONTACT_FIELD_CHECKS.map((c) => c.column), 5);
  return {
    generated_at: now.toISOString(),
    stale_days: staleDays,
    window_days: windowDays,
    score,
    records: { known_contacts: contacts.known, accounts: accounts.total },
    fields,
    duplicates,
    tracking_plan: { ...plan, violation_rate: shareOf(plan.violating, plan.checked) },
    stale: { contacts: contacts.stale, accounts: accounts.stale, rate: shareOf(contacts.stale + accounts.stale, records) },
    consent,
    worst_offenders: { fields: worstFields, records: leastComplete.filter((r) => r.blank > 0).map((r) => ({ id: r.id, email: r.email, blank_fields: r.blank })), rules: plan.worst },
    trend: (await q.selectSnapshots(db, workspaceId, 30)).map((s) => ({ day: s.day, score: Number(s.score), figures: s.figures })),
  };
}

async function collectFieldHealth(
  db: Kysely<Database>,
  workspaceId: string,
  contacts: Awaited<ReturnType<typeof profileContactQuality>>,
  accounts: Awaited<ReturnType<typeof profileAccountQuality>>,
  sources: HealthSources,
): Promise<FieldHealth[]> {
  const issues = (await sources.validationIssues?.(db, workspaceId)) ?? [];
  const toHealth = (entity: FieldHealth['entity'], population: number, checks: ReadonlyArray<{ column: string; rule: string }>) => (p: (typeof contacts.columns)[number], i: number): FieldHealth => {
    const external = issues.find((x) => x.entity === entity && x.field === p.column);
    // Normalization keeps an invalid value out of the column (it is kept as an issue), so
    // with its figures the values given are the column's plus the invalid ones.
    const invalid = external ? external.invalid : p.filled - p.valid;
    const filled = external ? Math.min(population, p.filled + invalid) : p.filled;
    return {
      entity,
      field: p.column,
      check: external ? 'normalization validation issues' : checks[i]!.rule,
      filled,
      missing: population - filled,
      invalid,
      completeness: shareOf(filled, population),
      validity: shareOf(filled - invalid, filled),
      invalid_examples: external?.examples ?? p.invalidExamples,
    };
  };
  return [...contacts.columns.map(toHealth('contacts', contacts.known, CONTACT_FIELD_CHECKS)), ...accounts.columns.map(toHealth('accounts', accounts.total, ACCOUNT_FIELD_CHECKS))];
}

async function measureDuplicates(db: Kysely<Database>, workspaceId: string, sources: HealthSources, records: number): Promise<HealthReport['duplicates']> {
  const found = await sources.duplicates?.(db, workspaceId);
  if (found) {
    return { method: found.method, contacts: found.contacts, accounts: found.accounts, rate: shareOf(found.contacts + found.accounts, records), detail: {} };
  }
  const contacts = await countExactDuplicateContacts(db, workspaceId);
  const accounts = await countExactDuplicateAccounts(db, workspaceId);
  return {
    method: 'exact duplicates only (normalized email, or first+last name+company; account domain or squeezed name) until dedupe has run: a floor, fuzzy matches are not counted',
    contacts: contacts.total,
    accounts: accounts.total,
    rate: shareOf(contacts.total + accounts.total, records),
    detail: { contacts, accounts },
  };
}

async function measureConsent(db: Kysely<Database>, workspaceId: string, sources: HealthSources): Promise<HealthReport['consent']> {
  if (!sources.contactsWithoutConsent) {
    return { available: false, contacts_without_consent: null, note: 'consent records are not available in this build; the figure and its score component are left out', examples: [] };
  }
  const found = await sources.contactsWithoutConsent(db, workspaceId);
  return { available: true, contacts_without_consent: found.count, note: 'known contacts with no consent record', examples: found.examples.slice(0, 5) };
}

function checkedDays(days: number, field: string): number {
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new AppError('invalid', `${field} must be a whole number of days from 1 to 3650; got ${JSON.stringify(days)}`);
  return days;
}

function mean(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0) / known.length;
}

/** The figures a daily snapshot keeps: every count of the report, without the examples. */
export function summarizeForSnapshot(report: HealthReport): Record<string, unknown> {
  return {
    components: Object.fromEntries(report.score.components.map((c) => [c.name, c.value])),
    known_contacts: report.records.known_contacts,
    accounts: report.records.accounts,
    fields: Object.fromEntries(report.fields.map((f) => [`${f.entity}.${f.field}`, { missing: f.missing, invalid: f.invalid }])),
    duplicates: { contacts: report.duplicates.contacts, accounts: report.duplicates.accounts },
    tracking_plan: { checked: report.tracking_plan.checked, violating: report.tracking_plan.violating, blocked: report.tracking_plan.blocked },
    stale: { contacts: report.stale.contacts, accounts: report.stale.accounts },
    contacts_without_consent: report.consent.contacts_without_consent,
  };
}

/** Builds the report and stores its figures as the day's snapshot (replacing one taken earlier that day). */
export async function takeHealthSnapshot(db: Kysely<Database>, workspaceId: string, options: HealthOptions = {}): Promise<{ day: string; score: number }> {
  const report = await buildHealthReport(db, workspaceId, options);
  const day = report.generated_at.slice(0, 10);
  await q.upsertSnapshot(db, workspaceId, day, report.score.value, summarizeForSnapshot(report));
  return { day, score: report.score.value };
}

export const listHealthSnapshots = (db: Kysely<Database>, workspaceId: string, limit: number) => q.selectSnapshots(db, workspaceId, limit);
export const listWorkspacesWithoutSnapshot = (db: Kysely<Database>, day: string) => q.selectWorkspacesWithoutSnapshot(db, day);
