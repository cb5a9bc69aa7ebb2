import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;

export async function selectSettings(db: Q, workspaceId: string): Promise<{ yaml: string; updated_at: Date } | undefined> {
  return db.selectFrom('attribution_settings').select(['yaml', 'updated_at']).where('workspace_id', '=', workspaceId).executeTakeFirst();
}

export async function upsertSettings(db: Q, workspaceId: string, yaml: string): Promise<void> {
  await db
    .insertInto('attribution_settings')
    .values({ workspace_id: workspaceId, yaml })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ yaml, updated_at: new Date() }))
    .execute();
}
