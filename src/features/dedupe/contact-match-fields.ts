import type { FieldSpec } from './engine/field-spec.ts';
import { isFreeMailDomain, splitEmail } from './engine/normalize-values.ts';

/** The fields of a contact that dedupe compares, for stored, imported and generated contacts alike. */
export const CONTACT_MATCH_FIELDS: readonly FieldSpec[] = [
  { name: 'first_name', kind: 'given_name' },
  { name: 'last_name', kind: 'family_name' },
  { name: 'email', kind: 'email' },
  { name: 'phone', kind: 'phone' },
  { name: 'company', kind: 'company' },
  { name: 'city', kind: 'exact' },
];

/** The fields of an account that dedupe compares. */
export const ACCOUNT_MATCH_FIELDS: readonly FieldSpec[] = [
  { name: 'name', kind: 'company' },
  { name: 'domain', kind: 'domain' },
  { name: 'phone', kind: 'phone' },
  { name: 'address', kind: 'address' },
  { name: 'postcode', kind: 'code' },
  { name: 'country', kind: 'exact' },
];

/**
 * Adds the company domain a work address implies (none for free-mail addresses: a
 * gmail.com address says nothing about the employer).
 */
export function withWorkDomain<T extends Readonly<Record<string, string | null | undefined>>>(values: T, extraFreeMailDomains?: readonly string[]): T & { domain: string | null } {
  if (values.domain) return { ...values, domain: values.domain };
  const email = splitEmail(values.email);
  return { ...values, domain: email && !isFreeMailDomain(email.domain, extraFreeMailDomains) ? email.domain : null };
}
