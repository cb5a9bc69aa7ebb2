import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { listAccounts } from '../accounts/index.ts';
import { listContacts } from '../contacts/index.ts';
import { runDedupe, type DedupeRunSummary } from '../dedupe/index.ts';
import { acceptEvents, processInbox } from '../ingest/index.ts';
import { DEMO_FREE_MAIL_DOMAINS } from './demo-people.ts';

// The near-duplicates every marketing database has, made from seeded contacts and accounts:
// the same person back with a personal address, a nickname, swapped names, a typo; the
// same company under a second CRM id with its legal form spelled out.
type Variant = (c: { first: string; last: string; email: string; phone: string | null; company: string | null }) => Record<string, unknown>;

const VARIANTS: Variant[] = [
  (c) => ({ firstName: c.first, lastName: c.last, email: `${c.first}.${c.last}@${DEMO_FREE_MAIL_DOMAINS[0]}`.toLowerCase(), phone: c.phone, company: c.company }),
  (c) => ({ firstName: c.last.toUpperCase(), lastName: c.first.toUpperCase(), email: c.email.toUpperCase(), company: c.company }),
  (c) => ({ firstName: c.first.slice(0, 3), lastName: c.last, email: `${c.first[0]}${c.last}@${DEMO_FREE_MAIL_DOMAINS[1] ?? DEMO_FREE_MAIL_DOMAINS[0]}`.toLowerCase() }),
  (c) => ({ firstName: c.first, lastName: `${c.last.slice(0, -2)}${c.last.slice(-1)}${c.last.slice(-2, -1)}`, email: `${c.first}${c.last.slice(0, 3)}@${DEMO_FREE_MAIL_DOMAINS[0]}`.toLowerCase(), company: c.company ? `${c.company}, Inc.` : null }),
];

export interface DemoDedupeResult {
  /** The contacts the near-duplicates were made from, in the order of their anonymousIds (demo-duplicate-N). */
  seededFrom: string[];
  contacts: DedupeRunSummary;
  accounts: DedupeRunSummary;
}

/**
 * Adds a few near-duplicate contacts and accounts through ingest, then runs dedupe on both
 * (auto-merge above the upper threshold, the rest into the review queue), so that
 * `keel dedupe review` has pairs to show in the demo.
 */
export async function seedDemoDuplicates(db: Kysely<Database>, workspaceId: string): Promise<DemoDedupeResult> {
  const contacts = (await listContacts(db, workspaceId, { limit: 400 })).filter((c) => c.email && c.first_name && c.last_name).slice(0, 16);
  const events: Array<Record<string, unknown>> = contacts.map((c, i) => ({
    type: 'identify',
    anonymousId: `demo-duplicate-${i}`,
    messageId: `demo-duplicate-${i}`,
    traits: VARIANTS[i % VARIANTS.length]!({ first: c.first_name!, last: c.last_name!, email: c.email!, phone: c.phone, company: c.company }),
  }));
  const accounts = (await listAccounts(db, workspaceId, { limit: 3 })).filter((a) => a.name && a.domain);
  accounts.forEach((a, i) => {
    events.push({
      type: 'group',
      anonymousId: `demo-duplicate-account-${i}`,
      groupId: `crm-duplicate-${a.external_id ?? a.id}`,
      messageId: `demo-duplicate-account-${i}`,
      traits: { name: i % 2 === 0 ? `${a.name} Inc.` : a.name!.toUpperCase(), website: `https://www.${a.domain}/` },
    });
  });
  await acceptEvents(db, workspaceId, { events, receivedAt: new Date() });
  await processInbox(db);
  const actor = systemActor('demo');
  return {
    seededFrom: contacts.map((c) => c.id),
    contacts: await runDedupe(db, workspaceId, 'contact', { dryRun: false, actor }),
    accounts: await runDedupe(db, workspaceId, 'account', { dryRun: false, actor }),
  };
}
