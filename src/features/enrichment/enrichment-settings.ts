import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { checkWebsiteDomain } from '../normalization/index.ts';
import { DEFAULT_ENRICHMENT_SETTINGS, type EnrichmentSettings } from './contact-enrichment.ts';
import * as q from './enrichment.queries.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';

export async function getEnrichmentSettings(db: Kysely<Database>, workspaceId: string): Promise<EnrichmentSettings> {
  const row = await q.selectSettings(db, workspaceId);
  if (!row) return { ...DEFAULT_ENRICHMENT_SETTINGS };
  return { createAccountsFromEmailDomain: row.create_accounts_from_email_domain, extraFreeMailDomains: row.extra_free_mail_domains };
}

const MAX_EXTRA_DOMAINS = 10_000;

/** Changes the workspace's enrichment settings (audited, in one transaction). */
export async function updateEnrichmentSettings(db: Kysely<Database>, workspaceId: string, patch: Partial<EnrichmentSettings>, actor: AuditActor): Promise<EnrichmentSettings> {
  const domains = patch.extraFreeMailDomains?.map((d, i) => {
    // A free-mail domain is matched against e-mail domains as they are, subdomains included.
    const text = typeof d === 'string' ? d.trim().toLowerCase() : '';
    const check = checkWebsiteDomain(text);
    if (!check.ok || /[/:@]/.test(text)) throw new AppError('invalid', `extra_free_mail_domains[${i}]: ${JSON.stringify(d)} is not a domain name`, { field: `extra_free_mail_domains[${i}]` });
    return text;
  });
  if (domains && domains.length > MAX_EXTRA_DOMAINS) throw new AppError('invalid', `extra_free_mail_domains: at most ${MAX_EXTRA_DOMAINS} domains, got ${domains.length}`, { field: 'extra_free_mail_domains' });
  const run = async (trx: Kysely<Database>) => {
    const before = await getEnrichmentSettings(trx, workspaceId);
    const after: EnrichmentSettings = {
      createAccountsFromEmailDomain: patch.createAccountsFromEmailDomain ?? before.createAccountsFromEmailDomain,
      extraFreeMailDomains: domains ? [...new Set(domains)].sort() : before.extraFreeMailDomains,
    };
    await q.upsertSettings(trx, workspaceId, after.createAccountsFromEmailDomain, after.extraFreeMailDomains);
    await recordAudit(trx, { workspaceId, actor, action: 'enrichment_settings.updated', objectType: 'enrichment_settings', objectId: workspaceId, details: { before, after } });
    return after;
  };
  return inTransaction(db, run);
}
