import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { extractAccountFields, findAccountIdsByDomains } from '../accounts/index.ts';
import { extractContactFields } from '../contacts/index.ts';
import type { FieldIssue } from '../normalization/index.ts';
import { enrichContact } from './contact-enrichment.ts';
import { getEnrichmentSettings } from './enrichment-settings.ts';
import { enrichAccount } from './enrichment.service.ts';

export interface RecordPreview {
  kind: 'contact' | 'account';
  /** Core columns as they would be stored. */
  fields: Record<string, unknown>;
  /** Custom traits as they would be stored (invalid values stay here). */
  traits: Record<string, unknown>;
  issues: FieldIssue[];
  enrichment: {
    traits: Record<string, unknown>;
    sources: Record<string, string>;
    /** Contacts: the account the business e-mail domain leads to. */
    account?: { domain: string; existing_account_id: string | null; would_create: boolean } | null;
    timezone_candidates?: string[];
  };
}

const MAX_TRAITS = 200;

/**
 * How a record would be normalized and enriched, without writing anything: the same
 * functions ingest and import run, and the workspace's settings and accounts.
 */
export async function previewRecord(db: Kysely<Database>, workspaceId: string, kind: 'contact' | 'account', traits: Record<string, unknown>, context: Record<string, unknown> = {}): Promise<RecordPreview> {
  if (Object.keys(traits).length > MAX_TRAITS) throw new AppError('invalid', `traits: at most ${MAX_TRAITS} keys, got ${Object.keys(traits).length}`, { field: 'traits' });
  if (kind === 'account') {
    const { fields, custom, issues } = extractAccountFields(traits);
    const enriched = enrichAccount({ country: fields.country ?? null });
    return { kind, fields: { ...fields }, traits: custom, issues, enrichment: { traits: enriched.traits, sources: enriched.sources } };
  }
  const { fields, custom, issues } = extractContactFields(traits, context);
  const settings = await getEnrichmentSettings(db, workspaceId);
  const result = enrichContact({ id: 'preview', email: fields.email ?? null, phone: fields.phone ?? null, title: fields.title ?? null, country: fields.country ?? null, timezone: fields.timezone ?? null }, settings);
  let account: RecordPreview['enrichment']['account'] = null;
  if (result.accountDomain) {
    const existing = (await findAccountIdsByDomains(db, workspaceId, [result.accountDomain])).get(result.accountDomain) ?? null;
    account = { domain: result.accountDomain, existing_account_id: existing, would_create: existing === null && settings.createAccountsFromEmailDomain };
  }
  return {
    kind,
    fields: { ...fields },
    traits: custom,
    issues,
    enrichment: { traits: result.traits, sources: result.sources as Record<string, string>, account, timezone_candidates: result.timezoneCandidates },
  };
}
