import type { ProfiledAccountColumn } from '../accounts/index.ts';
import type { ProfiledContactColumn } from '../contacts/index.ts';

/**
 * Validity checks per core field, as PostgreSQL regular expressions over the stored text.
 * They are the checks Keel applies today where data comes in (email syntax as in
 * normalizeEmail, host names as in domainOf) plus plain syntax for the rest; normalization's
 * validation issues replace a field's check when wired (see HealthSources).
 */
export const CONTACT_FIELD_CHECKS: ReadonlyArray<{ column: ProfiledContactColumn; pattern?: string; rule: string }> = [
  { column: 'email', pattern: '^[^[:space:]@]+@[^[:space:]@]+\\.[^[:space:]@]+$', rule: 'address syntax (local@domain.tld)' },
  { column: 'phone', pattern: '^\\+?[0-9][0-9 ().-]{5,24}$', rule: 'digits with an optional +, spaces, dots, dashes, parentheses; 6 to 25 characters' },
  { column: 'first_name', pattern: '^[^0-9@<>{}]+$', rule: 'no digits, @ or markup' },
  { column: 'last_name', pattern: '^[^0-9@<>{}]+$', rule: 'no digits, @ or markup' },
  { column: 'title', pattern: '[[:alpha:]]', rule: 'contains letters' },
  { column: 'company', pattern: '[[:alnum:]]', rule: 'contains letters or digits' },
  { column: 'country', pattern: '^[A-Z]{2}$', rule: 'ISO 3166-1 alpha-2 code' },
];

export const ACCOUNT_FIELD_CHECKS: ReadonlyArray<{ column: ProfiledAccountColumn; pattern?: string; rule: string }> = [
  { column: 'domain', pattern: '^[a-z0-9-]+(\\.[a-z0-9-]+)+$', rule: 'host name (as domainOf returns)' },
  { column: 'name', pattern: '[[:alnum:]]', rule: 'contains letters or digits' },
  { column: 'industry', rule: 'any value' },
  { column: 'employees', pattern: '^[0-9]+$', rule: 'whole number' },
  { column: 'annual_revenue', pattern: '^[0-9]+(\\.[0-9]+)?$', rule: 'non-negative number' },
  { column: 'country', pattern: '^[A-Z]{2}$', rule: 'ISO 3166-1 alpha-2 code' },
];
