import { countContactsWithoutConsent } from './features/consent/index.ts';
import type { HealthSources } from './features/data-health/index.ts';
import { countDuplicateRecords } from './features/dedupe/index.ts';
import { listFieldIssues, summarizeFieldValidity } from './features/normalization/index.ts';

/**
 * What the data-health report reads from the features that own it (composition root, so
 * data-health imports none of them): validity per field from normalization's validation
 * issues, duplicates from dedupe's review pairs, contacts without consent from consent.
 */
export function createHealthSources(): HealthSources {
  return {
    validationIssues: async (db, workspaceId) => {
      const fields = await summarizeFieldValidity(db, workspaceId);
      return Promise.all(
        fields.map(async (s) => ({
          entity: s.objectType === 'contact' ? ('contacts' as const) : ('accounts' as const),
          field: s.field,
          invalid: s.invalid,
          examples: (await listFieldIssues(db, workspaceId, { objectType: s.objectType, field: s.field, limit: 5 })).map((i) => ({ id: i.object_id, value: i.value })),
        })),
      );
    },
    duplicates: (db, workspaceId) => countDuplicateRecords(db, workspaceId),
    contactsWithoutConsent: (db, workspaceId) => countContactsWithoutConsent(db, workspaceId),
  };
}
