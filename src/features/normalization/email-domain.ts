import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Maintained lists: free-email-domains-list (HubSpot's list and more, refreshed weekly)
// and disposable-email-domains (ivolo). Loaded into Sets on first use (~0.4 s, measured),
// so that commands which never classify an address do not pay for them.
let lists: { free: Set<string>; disposable: Set<string> } | undefined;
function loadLists() {
  lists ??= {
    free: (require('free-email-domains-list/build/src/constants.js') as { DOMAINS: Set<string> }).DOMAINS,
    disposable: new Set(require('disposable-email-domains') as string[]),
  };
  return lists;
}

export type EmailDomainKind = 'business' | 'free' | 'disposable';

export interface EmailDomainOptions {
  /** More free-mail domains (a workspace setting: regional providers, test domains). */
  extraFreeMailDomains?: ReadonlySet<string> | readonly string[] | undefined;
}

function has(list: ReadonlySet<string> | readonly string[] | undefined, domain: string): boolean {
  if (!list) return false;
  return list instanceof Set ? list.has(domain) : (list as readonly string[]).includes(domain);
}

/**
 * Business, free-mail (gmail.com, web.de, ...) or disposable (mailinator.com, ...).
 * Disposable wins: the free-mail list also holds many throwaway domains, and a
 * throwaway address is worth knowing about. Subdomains count as their parent
 * (`eu.mailinator.com`).
 */
export function classifyEmailDomain(domain: string, options: EmailDomainOptions = {}): EmailDomainKind {
  const { free, disposable } = loadLists();
  const d = domain.toLowerCase();
  const parents = d.split('.').map((_, i, labels) => labels.slice(i).join('.')).slice(0, -1);
  if (parents.some((p) => disposable.has(p))) return 'disposable';
  if (parents.some((p) => free.has(p) || has(options.extraFreeMailDomains, p))) return 'free';
  return 'business';
}
