import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Db = Kysely<Database>;

/**
 * Where the report gets what other features own. Each is optional: without it the report
 * uses its built-in measure (syntax checks, exact duplicates) or says the figure is not
 * available (consent). The lead wires normalization, dedupe and consent in `createApp`.
 */
export interface HealthSources {
  /**
   * Normalization's validation issues: invalid values per entity and field. Fields it
   * reports replace the built-in syntax check of that field.
   */
  validationIssues?: (db: Db, workspaceId: string) => Promise<Array<{ entity: 'contacts' | 'accounts'; field: string; invalid: number; examples?: Array<{ id: string; value: string }> }>>;
  /**
   * Dedupe's results: records that are duplicates of another (pending review or above the
   * threshold). Undefined when dedupe has not run in the workspace: the built-in exact count is used.
   */
  duplicates?: (db: Db, workspaceId: string) => Promise<{ contacts: number; accounts: number; method: string } | undefined>;
  /** Consent: known contacts with no consent record (lawful basis) at all. */
  contactsWithoutConsent?: (db: Db, workspaceId: string) => Promise<{ count: number; examples: string[] }>;
}
