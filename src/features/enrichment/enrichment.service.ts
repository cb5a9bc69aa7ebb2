import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { createAccountsForDomains, findAccountIdsByDomains, pageAccountCores, setAccountTraits, type AccountCore } from '../accounts/index.ts';
import { getContactCores, linkContactsToAccounts, pageContactCores, setContactTraits, type ContactCore } from '../contacts/index.ts';
import { enrichContact, LOCAL_ENRICHED_TRAITS, type EnrichmentSettings } from './contact-enrichment.ts';
import { getEnrichmentSettings } from './enrichment-settings.ts';
import { zoneOfCountry } from './timezone.ts';

export interface EnrichmentOutcome {
  /** Records read. */
  records: number;
  /** Records that got at least one enriched value. */
  enriched: number;
  /** Contacts linked to an account found (or created) by e-mail domain. */
  accountsLinked: number;
  accountsCreated: number;
}

const emptyOutcome = (): EnrichmentOutcome => ({ records: 0, enriched: 0, accountsLinked: 0, accountsCreated: 0 });

/**
 * Enriches a batch of contacts in a handful of statements: enriched_* traits (old ones
 * replaced, so a changed title re-derives), and links to the accounts of their business
 * e-mail domains, creating missing accounts when the workspace setting says so.
 */
export async function enrichContactBatch(db: Kysely<Database>, workspaceId: string, contacts: ContactCore[], settings: EnrichmentSettings, now: Date): Promise<EnrichmentOutcome> {
  const outcome = emptyOutcome();
  outcome.records = contacts.length;
  const rows: Array<{ id: string; traits: Record<string, unknown> }> = [];
  const domainOf = new Map<string, string>();
  for (const contact of contacts) {
    const result = enrichContact(contact, settings);
    const sources = { ...((contact.traits.enrichment_sources as Record<string, unknown> | undefined) ?? {}) };
    for (const key of [...LOCAL_ENRICHED_TRAITS, 'account']) delete sources[key];
    Object.assign(sources, result.sources);
    if (Object.keys(result.traits).length > 0) outcome.enriched += 1;
    const traits = { ...result.traits, enrichment_sources: sources };
    // Unchanged contacts are not rewritten: a re-run (or a repeated identify) costs no row version.
    if (!isSameEnrichment(contact.traits, traits)) rows.push({ id: contact.id, traits });
    if (result.accountDomain) domainOf.set(contact.id, result.accountDomain);
  }
  await setContactTraits(db, workspaceId, rows, LOCAL_ENRICHED_TRAITS);
  const domains = [...new Set(domainOf.values())];
  const accounts = await findAccountIdsByDomains(db, workspaceId, domains);
  const missing = domains.filter((d) => !accounts.has(d));
  if (settings.createAccountsFromEmailDomain && missing.length > 0) {
    const created = await createAccountsForDomains(db, workspaceId, missing, { created_by: 'enrichment', enrichment_sources: { domain: 'email_domain' } }, now);
    for (const [domain, id] of created) accounts.set(domain, id);
    outcome.accountsCreated = created.size;
  }
  const links = [...domainOf].flatMap(([contactId, domain]) => (accounts.has(domain) ? [{ contactId, accountId: accounts.get(domain)! }] : []));
  await linkContactsToAccounts(db, workspaceId, links);
  outcome.accountsLinked = links.length;
  return outcome;
}

/**
 * The ingest hook: enriches the contacts an ingest chunk (or an import batch) changed,
 * in the same transaction. Reads the contacts after the chunk's patches, so a title or
 * e-mail from an earlier identify counts too.
 */
export async function enrichContactsById(db: Kysely<Database>, workspaceId: string, contactIds: string[], now: Date = new Date()): Promise<EnrichmentOutcome> {
  if (contactIds.length === 0) return emptyOutcome();
  const settings = await getEnrichmentSettings(db, workspaceId);
  return enrichContactBatch(db, workspaceId, await getContactCores(db, workspaceId, contactIds), settings, now);
}

export const RE_ENRICH_BATCH = 1000;

/** Re-enriches every contact of the workspace, batch by batch (one transaction each). */
export async function enrichAllContacts(db: Kysely<Database>, workspaceId: string, options: { onBatch?: (o: EnrichmentOutcome) => void } = {}): Promise<EnrichmentOutcome> {
  const total = emptyOutcome();
  const settings = await getEnrichmentSettings(db, workspaceId);
  let afterId: string | undefined;
  for (;;) {
    const page = await pageContactCores(db, workspaceId, afterId, RE_ENRICH_BATCH);
    if (page.length === 0) break;
    const outcome = await db.transaction().execute((trx) => enrichContactBatch(trx, workspaceId, page, settings, new Date()));
    addOutcome(total, outcome);
    options.onBatch?.(total);
    afterId = page.at(-1)!.id;
  }
  return total;
}

const LOCAL_ACCOUNT_TRAITS = ['enriched_timezone'] as const;

/** What enrichment derives for an account from its own data (pure). */
export function enrichAccount(account: Pick<AccountCore, 'country'>): { traits: Record<string, string>; sources: Record<string, string> } {
  const zone = account.country ? zoneOfCountry(account.country).zone : undefined;
  return zone ? { traits: { enriched_timezone: zone }, sources: { enriched_timezone: 'country' } } : { traits: {}, sources: {} };
}

/** Re-enriches every account of the workspace (time zone from country). */
export async function enrichAllAccounts(db: Kysely<Database>, workspaceId: string): Promise<EnrichmentOutcome> {
  const total = emptyOutcome();
  let afterId: string | undefined;
  for (;;) {
    const page = await pageAccountCores(db, workspaceId, afterId, RE_ENRICH_BATCH);
    if (page.length === 0) break;
    const rows = page.map((account) => {
      const { traits, sources } = enrichAccount(account);
      const previous = { ...((account.traits.enrichment_sources as Record<string, unknown> | undefined) ?? {}) };
      for (const key of LOCAL_ACCOUNT_TRAITS) delete previous[key];
      if (Object.keys(traits).length > 0) total.enriched += 1;
      return { id: account.id, traits: { ...traits, enrichment_sources: { ...previous, ...sources } } };
    });
    await setAccountTraits(db, workspaceId, rows, LOCAL_ACCOUNT_TRAITS);
    total.records += page.length;
    afterId = page.at(-1)!.id;
  }
  return total;
}

/** True when the stored traits already hold exactly these enriched values (and no stale ones). */
function isSameEnrichment(stored: Record<string, unknown>, next: Record<string, unknown>): boolean {
  for (const key of LOCAL_ENRICHED_TRAITS) if ((key in stored) !== (key in next) || stored[key] !== next[key]) return false;
  // jsonb hands keys back in its own order: compare as sorted entries.
  const entries = (v: unknown) => JSON.stringify(Object.entries((v ?? {}) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
  return stored.enrichment_sources !== undefined && entries(stored.enrichment_sources) === entries(next.enrichment_sources);
}

export function addOutcome(total: EnrichmentOutcome, add: EnrichmentOutcome): void {
  total.records += add.records;
  total.enriched += add.enriched;
  total.accountsLinked += add.accountsLinked;
  total.accountsCreated += add.accountsCreated;
}
