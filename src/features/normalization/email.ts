import { domainToASCII, domainToUnicode } from 'node:url';

export interface NormalizedEmail {
  /** `local@domain`, lower-cased, domain in its ASCII (punycode) form: the stored value. */
  address: string;
  local: string;
  /** ASCII form (`xn--mller-kva.de`): what DNS and SMTP use, and what accounts match on. */
  domain: string;
  /** Unicode form (`müller.de`), for display. */
  domainUnicode: string;
}

export type EmailCheck = { ok: true; email: NormalizedEmail } | { ok: false; reason: string };

// RFC 5322 dot-atom characters, plus any non-ASCII letter (RFC 6531 internationalized
// local parts). Quoted local parts ("john doe"@x) are legal but no marketing system
// sends to them; they are refused as invalid here.
const LOCAL_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+$/u;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Normalizes and checks one e-mail address. The whole address is lower-cased: RFC 5321
 * lets a host treat the local part as case-sensitive, but it also tells hosts not to
 * (§4.1.2), no major provider does, and Keel resolves identities by e-mail: `Ada@x.com`
 * and `ada@x.com` must be one person. Dots and `+tags` are kept: they are provider
 * rules (Gmail ignores dots, others do not), so dropping them could join two people.
 *
 * @example
 * checkEmail(' Ada@Bücher.example ') // { ok: true, email: { address: 'ada@xn--bcher-kva.example', ... } }
 */
export function checkEmail(value: unknown): EmailCheck {
  if (typeof value !== 'string') return { ok: false, reason: 'not a string' };
  // Mail clients paste `Ada <ada@x.com>` and `mailto:` links; both carry one address.
  let raw = value.trim().replace(/^mailto:/i, '');
  const bracketed = /<([^<>]+)>\s*$/.exec(raw);
  if (bracketed) raw = bracketed[1]!.trim();
  if (raw === '') return { ok: false, reason: 'empty' };
  const at = raw.lastIndexOf('@');
  if (at <= 0 || at === raw.length - 1) return { ok: false, reason: 'no local part and domain around one @' };
  const local = raw.slice(0, at).normalize('NFC').toLowerCase();
  const domainInput = raw.slice(at + 1).replace(/\.$/, '');
  if (local.length > 64) return { ok: false, reason: 'local part longer than 64 characters' };
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return { ok: false, reason: 'local part has a leading, trailing or double dot' };
  if (!local.split('.').every((atom) => LOCAL_ATOM.test(atom))) return { ok: false, reason: 'local part has characters an address cannot hold' };
  const domain = domainToASCII(domainInput.toLowerCase());
  if (domain === '') return { ok: false, reason: 'domain is not a valid host name' };
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) return { ok: false, reason: 'domain is not a valid host name' };
  if (!/^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(labels.at(-1)!)) return { ok: false, reason: 'domain has no valid top-level domain' };
  const address = `${local}@${domain}`;
  if (address.length > 254) return { ok: false, reason: 'address longer than 254 characters' };
  return { ok: true, email: { address, local, domain, domainUnicode: domainToUnicode(domain) } };
}

/** The normalized address, or undefined when it is not one. */
export function normalizeEmailAddress(value: unknown): string | undefined {
  const check = checkEmail(value);
  return check.ok ? check.email.address : undefined;
}
