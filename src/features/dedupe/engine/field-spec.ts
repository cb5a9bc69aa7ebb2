/**
 * What a column holds, which decides how it is normalized, compared and blocked on.
 * `given_name`/`family_name` are compared in both orders (swapped first/last names).
 */
export type FieldKind = 'given_name' | 'family_name' | 'name' | 'email' | 'phone' | 'company' | 'domain' | 'address' | 'code' | 'exact';

export const FIELD_KINDS: readonly FieldKind[] = ['given_name', 'family_name', 'name', 'email', 'phone', 'company', 'domain', 'address', 'code', 'exact'];

export interface FieldSpec {
  /** Column name in the input records. */
  name: string;
  kind: FieldKind;
}

/** One record to match: an id and its raw values by field name. */
export interface InputRecord {
  id: string;
  values: Readonly<Record<string, string | null | undefined>>;
  /** For linking two files: only pairs with different sources are candidates. */
  source?: number;
}

/** Names of each field's comparison levels, worst first; the last is "agrees exactly". */
export const LEVEL_NAMES: Record<FieldKind, readonly string[]> = {
  given_name: ['different', 'similar', 'close', 'exact'],
  family_name: ['different', 'similar', 'close', 'exact'],
  name: ['different', 'similar', 'close', 'exact'],
  email: ['different employers', 'different', 'same local part', 'exact'],
  phone: ['different', 'one digit apart', 'same last 7 digits', 'exact'],
  company: ['different', 'similar', 'close', 'exact'],
  domain: ['different', 'exact'],
  address: ['different', 'similar', 'close', 'exact'],
  code: ['different', 'one edit apart', 'exact'],
  exact: ['different', 'exact'],
};

/**
 * Levels that decide a pair is NOT a duplicate whatever the other fields say. Two work
 * addresses at different company domains are two contacts: a job change (the same person
 * at a new employer is a new contact; the old one keeps its account's history) or a
 * namesake. Free-mail addresses never trigger it.
 */
export const VETO_LEVELS: Partial<Record<FieldKind, number>> = { email: 0 };

export const levelCountOf = (kind: FieldKind): number => LEVEL_NAMES[kind].length;
