import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { getSegment, listSegmentMembers } from '../audiences/index.ts';
import type { AuditActor } from '../audit/index.ts';
import { exportContactsByIds } from './csv-export.ts';

const PAGE = 1_000;

/** A contact segment's current members as the contacts CSV, paged by member id (a snapshot per page). */
export async function* exportSegmentCsv(db: Kysely<Database>, workspaceId: string, name: string, actor: AuditActor): AsyncGenerator<string> {
  const segment = await getSegment(db, workspaceId, name);
  if (segment.subject !== 'contact') {
    throw new AppError('invalid', `Segment ${JSON.stringify(name)} holds accounts; export accounts, or a contact segment that reads account fields`);
  }
  async function* idPages(): AsyncGenerator<string[]> {
    let after: string | undefined;
    for (;;) {
      const { members } = await listSegmentMembers(db, workspaceId, name, { limit: PAGE, ...(after ? { after } : {}) });
      if (members.length === 0) return;
      yield members.map((m) => m.id);
      after = members[members.length - 1]!.id;
    }
  }
  yield* exportContactsByIds(db, workspaceId, idPages(), { actor, objectType: 'segment', objectId: segment.id });
}
