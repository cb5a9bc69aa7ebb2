import { createRequire } from 'node:module';
import { domainToASCII } from 'node:url';
import type * as Tldts from 'tldts';

// The public suffix list is loaded on first use (~0.25 s, measured).
const require = createRequire(import.meta.url);
let tldts: typeof Tldts | undefined;
const parse: typeof Tldts.parse = (...args) => (tldts ??= require('tldts') as typeof Tldts).parse(...args);

export type DomainCheck = { ok: true; domain: string } | { ok: false; reason: string };

/**
 * The registrable domain of a website, URL or host (`https://www.shop.Acme.co.uk/about`
 * -> `acme.co.uk`), public-suffix aware (tldts, with private suffixes such as
 * `github.io`, so `acme.github.io` stays itself). IDN hosts become punycode, the form
 * e-mail domains take too, so that accounts match contacts by domain.
 */
export function checkWebsiteDomain(value: unknown): DomainCheck {
  if (typeof value !== 'string') return { ok: false, reason: 'not a string' };
  const text = value.trim();
  if (text === '') return { ok: false, reason: 'empty' };
  let host: string;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text.replace(/^\/\//, '')}`);
    host = url.hostname;
  } catch {
    return { ok: false, reason: 'not a URL or host name' };
  }
  host = domainToASCII(host.toLowerCase().replace(/\.$/, ''));
  const parsed = parse(host, { allowPrivateDomains: true });
  if (parsed.isIp) return { ok: false, reason: 'an IP address, not a domain' };
  // Unknown top-level domains (.example, .test, a new gTLD the list does not have yet)
  // count as public suffixes, as the list's own default rule says; a bare suffix
  // (co.uk) or a single label (localhost) is no domain.
  if (!parsed.domain || !/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(parsed.publicSuffix?.split('.').at(-1) ?? '')) {
    return { ok: false, reason: 'no registrable domain (a host name with a public suffix)' };
  }
  return { ok: true, domain: parsed.domain };
}

/** The registrable domain of an e-mail domain (`mail.acme.co.uk` -> `acme.co.uk`). */
export function registrableDomainOf(host: string): string | undefined {
  const parsed = parse(host, { allowPrivateDomains: true });
  return parsed.domain ?? undefined;
}
