import { sql } from 'kysely';
import { basicAuth, postIngest, type TestApp } from '../../testing/test-app.ts';
import { cliActor } from '../audit/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { applyTemplates } from './templates.service.ts';

/** A contact made the way users make them: identify (and group) through ingest, then the workers. */
export async function makeContact(t: TestApp, ws: CreatedWorkspace, traits: Record<string, unknown>, account?: Record<string, unknown>): Promise<string> {
  const userId = `u-${String(traits.email)}`;
  const auth = { authorization: basicAuth(ws.writeKey.key) };
  await postIngest(t.app, '/v1/identify', { userId, traits }, auth);
  if (account) await postIngest(t.app, '/v1/group', { userId, groupId: `g-${String(account.domain ?? account.name)}`, traits: account }, auth);
  await t.drain();
  const row = await sql<{ id: string }>`select contact_id as id from identities where workspace_id = ${ws.id}::uuid and kind = 'user_id' and value = ${userId}`.execute(t.db.kysely);
  return row.rows[0]!.id;
}

/** Saves a template from a few fields (YAML built here, so the test reads as the document). */
export async function saveTemplate(t: TestApp, ws: CreatedWorkspace, doc: Record<string, unknown>) {
  const [applied] = await applyTemplates(t.db.kysely, ws.id, { kind: 'template', name: String(doc.key), subject: 'Hello', ...doc }, cliActor());
  return applied!;
}

export const mjmlBody = (inner: string) => `<mjml>
  <mj-body>
    <mj-section>
      <mj-column>
${inner}
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>`;
