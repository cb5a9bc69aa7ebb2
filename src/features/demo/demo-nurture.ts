import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { systemActor } from '../audit/index.ts';
import { applyJourney, type AppliedJourney } from '../journeys/index.ts';

export const DEMO_NURTURE_KEY = 'enterprise-nurture';

/** The demo's nurture journey (demo-nurture-journey.yaml), stored as a draft; `keel demo` and `npm start` launch it. */
export async function applyDemoNurtureJourney(db: Kysely<Database>, workspaceId: string): Promise<AppliedJourney> {
  const source = readFileSync(new URL('./demo-nurture-journey.yaml', import.meta.url), 'utf8');
  return applyJourney(db, workspaceId, source, systemActor('demo'));
}
