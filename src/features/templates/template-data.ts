import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { getAccount } from '../accounts/index.ts';
import { getScoresOfContact, getStagesOfContact } from '../audiences/index.ts';
import { getCachedPolicies } from '../consent/index.ts';
import { getAccountsOfContact, getContact } from '../contacts/index.ts';

/** The Liquid variables of one recipient. Empty values are left out, so they count as missing. */
export interface TemplateData {
  contact: Record<string, unknown>;
  account?: Record<string, unknown>;
  scores: Record<string, { fit: number; engagement: number; total: number }>;
  stage: Record<string, string>;
  workspace: Record<string, unknown>;
  [key: string]: unknown;
}

/** Drops null, undefined and blank strings (recursively in plain objects): "no data". */
export function withoutEmpty(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) continue;
    // defineProperty: a trait named "__proto__" stays a plain field instead of setting the prototype.
    Object.defineProperty(out, k, { value: typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) ? withoutEmpty(v as Record<string, unknown>) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

type ContactRow = Awaited<ReturnType<typeof getContact>>;

/**
 * contact (core fields, `traits`, and each trait also as contact.<trait> unless a core
 * field has that name), account (the contact's first account by name), scores per model,
 * stage per dimension (lifecycle, engagement), workspace (sender).
 */
export async function loadTemplateData(db: Kysely<Database>, workspaceId: string, contactId: string): Promise<TemplateData> {
  return (await loadTemplateDataMany(db, workspaceId, [await getContact(db, workspaceId, contactId)], null))[0]!;
}

/**
 * The data of several recipients whose contact rows the caller read (one query for all):
 * account, scores and stage are read only when `roots` (the template's root variables;
 * null: unknown) names them, per contact and side by side.
 */
export async function loadTemplateDataMany(db: Kysely<Database>, workspaceId: string, contacts: readonly ContactRow[], roots: ReadonlySet<string> | null): Promise<TemplateData[]> {
  const needs = (root: string) => roots === null || roots.has(root);
  const policies = await getCachedPolicies(db, workspaceId);
  const workspace = withoutEmpty({ sender_name: policies.sender_name, sender_email: policies.sender_email, postal_address: policies.postal_address });
  return Promise.all(contacts.map(async (contact) => {
    const [account, scores, stages] = await Promise.all([
      needs('account') ? firstAccountOf(db, workspaceId, contact.id) : undefined,
      needs('scores') ? getScoresOfContact(db, workspaceId, contact.id) : [],
      needs('stage') ? getStagesOfContact(db, workspaceId, contact.id) : [],
    ]);
    const traits = (contact.traits ?? {}) as Record<string, unknown>;
    const core = { id: contact.id, email: contact.email, phone: contact.phone, first_name: contact.first_name, last_name: contact.last_name, title: contact.title, company: contact.company, country: contact.country, timezone: contact.timezone };
    const data: TemplateData = {
      contact: withoutEmpty({ ...traits, ...core, traits }),
      scores: Object.fromEntries(scores.map((s) => [s.model, { fit: Number(s.fit), engagement: Number(s.engagement), total: Number(s.total) }])),
      stage: Object.fromEntries(stages.map((s) => [s.dimension, s.stage])),
      workspace,
    };
    if (account) data.account = account;
    return data;
  }));
}

async function firstAccountOf(db: Kysely<Database>, workspaceId: string, contactId: string): Promise<Record<string, unknown> | undefined> {
  const first = (await getAccountsOfContact(db, workspaceId, contactId))[0];
  if (!first) return undefined;
  const a = await getAccount(db, workspaceId, first.id);
  return withoutEmpty({ id: a.id, name: a.name, domain: a.domain, industry: a.industry, employees: a.employees, annual_revenue: a.annual_revenue, country: a.country, traits: a.traits });
}
