import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { saveStageRules } from '../audiences/index.ts';
import { cliActor } from '../audit/index.ts';
import { createTopic } from '../consent/index.ts';
import { checkTemplate, listTemplates, renderEmail } from '../templates/index.ts';
import { makeContact } from '../templates/template-fixtures.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { applyDemoTemplates } from './demo-templates.ts';

let t: TestApp;
let ws: CreatedWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('demo-templates');
  await createTopic(t.db.kysely, ws.id, { key: 'product-updates', name: 'Product updates', regime: 'opt_out' }, cliActor());
  await saveStageRules(t.db.kysely, ws.id, 'engagement:\n  - { stage: highly_engaged, when: { field: { name: title, op: exists } } }\n  - { stage: dormant }\n', cliActor());
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`demo templates (${testDatabaseLabel})`, () => {
  it('saves one nurture email per engagement stage, idempotently, rendering for full and empty contacts alike', async () => {
    expect(await applyDemoTemplates(t.db.kysely, ws.id)).toBe(3);
    expect(await applyDemoTemplates(t.db.kysely, ws.id)).toBe(0);
    expect((await listTemplates(t.db.kysely, ws.id)).map((x) => [x.key, x.current_version, x.default_topic])).toEqual([
      ['nurture-dormant', 1, 'product-updates'],
      ['nurture-engaged', 1, 'product-updates'],
      ['nurture-new', 1, 'product-updates'],
    ]);
    const ada = await makeContact(t, ws, { email: 'ada@acme.example', firstName: 'Ada', title: 'VP Marketing' }, { name: 'Acme', domain: 'acme.example', industry: 'Software', employees: 4000 });
    const bare = await makeContact(t, ws, { email: 'someone@example.org' });
    const render = (key: string, contactId: string) => renderEmail(t.db.kysely, { workspaceId: ws.id, contactId, templateKey: key, messageId: randomUUID(), publicUrl: 'http://localhost:3000' });
    const engaged = await render('nurture-engaged', ada);
    expect(engaged.subject).toBe('Ada, a plan for Acme');
    expect(engaged.topic).toBe('product-updates');
    expect(engaged.preheader).toBe('What 4000-person companies automate first');
    expect(engaged.text).toContain('stage: highly engaged');
    expect(engaged.html).toContain('As VP Marketing at Acme, a 30-minute walkthrough');
    const fallback = await render('nurture-engaged', bare);
    expect(fallback.subject).toBe('Hi, a plan for your team');
    expect(fallback.text).toContain('stage: dormant');
    for (const key of ['nurture-new', 'nurture-engaged', 'nurture-dormant']) {
      const report = await checkTemplate(t.db.kysely, ws.id, key);
      expect([key, report.ok, report.spamWords]).toEqual([key, true, []]);
    }
  });
});
