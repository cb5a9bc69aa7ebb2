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
  email: ['different employers', 'numbered mailbox at the same employer', 'another address at the same employer', 'different', 'same local part', 'exact'],
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
 * namesake. Free-mail addresses never trigger it. Nor do two mailboxes at one employer that
 * differ only by a number (jsmith@, jsmith2@): a company numbers the second J. Smith's
 * mailbox because the first one is taken.
 */
export const VETO_LEVELS: Partial<Record<FieldKind, readonly number[]>> = { email: [0, 1] };

/**
 * Levels that say "these differ": whatever EM fits, they may not count FOR a match (their
 * weight is capped at 0). EM's two classes are not always "same person / different": in a
 * B2B list it can learn "same company and surname", and then a second mailbox at the same
 * employer or another first name looks like evidence of a duplicate. Exact agreement, in
 * turn, may not count against one.
 */
export const DISAGREEMENT_LEVELS: Record<FieldKind, readonly number[]> = {
  given_name: [0],
  family_name: [0],
  name: [0],
  email: [0, 1, 2, 3],
  phone: [0],
  company: [0],
  domain: [0],
  address: [0],
  code: [0],
  exact: [0],
};

/**
 * A pair is merged without review only when each of these fields, present on both sides,
 * agrees at least at this level: both names close or exact (a namesake with another first
 * name never merges itself), and no second mailbox at the same employer. Such pairs can
 * still reach the review queue, with their evidence.
 */
export const AUTO_MERGE_MIN_LEVELS: Partial<Record<FieldKind, number>> = { given_name: 2, family_name: 2, email: 3 };

/**
 * Upper bounds on m that the data cannot teach EM: a duplicate's two records rarely carry
 * two entirely different given or family names (nicknames and swaps are resolved before),
 * or two unrelated addresses at one employer. Without them, EM over a B2B list (colleagues
 * with one surname in most candidate pairs) learns "another first name" as a weak signal.
 */
export const MAX_M: Partial<Record<FieldKind, Readonly<Record<number, number>>>> = {
  given_name: { 0: 0.05 },
  family_name: { 0: 0.05 },
  email: { 2: 0.05 },
  // A contact at another company is another contact (a job change starts a new one).
  company: { 0: 0.05 },
};

export const levelCountOf = (kind: FieldKind): number => LEVEL_NAMES[kind].length;
