import type { AccountRow, ContactRow } from '../../platform/db/schema.ts';
import type { AccountValues } from '../accounts/index.ts';
import type { ContactValues } from '../contacts/index.ts';
import type { DedupeSettings } from './dedupe-settings.ts';
import { chooseFieldValue, mergeTraits, type MergeSide } from './survivorship.ts';

const sourceOf = (traits: Record<string, unknown>) => (typeof traits.source === 'string' ? traits.source : null);
const earliest = (a: Date | null, b: Date | null) => (a && b ? (a < b ? a : b) : (a ?? b));
const latest = (a: Date | null, b: Date | null) => (a && b ? (a > b ? a : b) : (a ?? b));

const CONTACT_TEXT_COLUMNS = ['email', 'phone', 'first_name', 'last_name', 'title', 'company', 'country', 'timezone'] as const;

/** The survivorship choice for two contacts under the workspace's rules. */
export function chooseContactValues(settings: DedupeSettings) {
  return (winner: ContactRow, loser: ContactRow): ContactValues => {
    const side = (row: ContactRow): MergeSide<ContactRow> => ({ row, updatedAt: row.traits_updated_at ?? row.updated_at, source: sourceOf(row.traits) });
    const w = side(winner);
    const l = side(loser);
    const rules = settings.contacts;
    const text = Object.fromEntries(
      CONTACT_TEXT_COLUMNS.map((c) => [c, chooseFieldValue(rules.fields[c] ?? rules.default, w, l, (r) => r[c], settings.source_priority) as string | null]),
    ) as Pick<ContactValues, (typeof CONTACT_TEXT_COLUMNS)[number]>;
    return {
      ...text,
      traits: mergeTraits(w, l),
      traits_updated_at: latest(winner.traits_updated_at, loser.traits_updated_at),
      created_at: earliest(winner.created_at, loser.created_at)!,
      first_seen_at: earliest(winner.first_seen_at, loser.first_seen_at),
      last_seen_at: latest(winner.last_seen_at, loser.last_seen_at),
    };
  };
}

const ACCOUNT_VALUE_COLUMNS = ['external_id', 'domain', 'name', 'industry', 'employees', 'annual_revenue', 'country'] as const;

/** The survivorship choice for two accounts under the workspace's rules. */
export function chooseAccountValues(settings: DedupeSettings) {
  return (winner: AccountRow, loser: AccountRow): AccountValues => {
    const side = (row: AccountRow): MergeSide<AccountRow> => ({ row, updatedAt: row.updated_at, source: sourceOf(row.traits) });
    const w = side(winner);
    const l = side(loser);
    const rules = settings.accounts;
    const values = Object.fromEntries(ACCOUNT_VALUE_COLUMNS.map((c) => [c, chooseFieldValue(rules.fields[c] ?? rules.default, w, l, (r) => r[c], settings.source_priority)]));
    return {
      ...(values as Pick<AccountValues, (typeof ACCOUNT_VALUE_COLUMNS)[number]>),
      traits: mergeTraits(w, l),
      created_at: earliest(winner.created_at, loser.created_at)!,
    };
  };
}
