import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { bearer, createTestApp, getJson, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { TEMPLATE_JSON_SCHEMA } from './index.ts';
import { makeContact, mjmlBody } from './template-fixtures.ts';

let t: TestApp;
let ws: CreatedWorkspace;
const post = (path: string, body: unknown) =>
  t.app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { authorization: bearer(ws.adminKey.key), 'content-type': 'application/json' } });

const YAML = `kind: template
key: nurture-new
name: Nurture (new)
subject: "Welcome, {{ contact.first_name | default: 'friend' }}"
preheader: Three things to try first
body: |
${mjmlBody(`        <mj-text>Hi {{ contact.first_name | default: "there" }} at {{ account.name | default: "your team" }}</mj-text>
        <mj-image src="https://cdn.example/hero.png" />
        <mj-button href="https://northstack.example/start">Start</mj-button>`)
  .split('\n')
  .map((l) => `  ${l}`)
  .join('\n')}
`;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('template-routes');
  await makeContact(t, ws, { email: 'ada@acme.example', firstName: 'Ada' }, { name: 'Acme', domain: 'acme.example' });
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`/api/v1/templates (${testDatabaseLabel})`, () => {
  it('creates from YAML text and from a JSON body, lists, reads versions, previews and checks', async () => {
    const created = await post('/api/v1/templates', { yaml: YAML });
    expect(created.status).toBe(200);
    expect(await created.json()).toEqual({ data: [{ key: 'nurture-new', version: 1, changed: true, created: true }] });
    const json = await post('/api/v1/templates', { kind: 'template', key: 'nurture-new', name: 'Nurture (new)', subject: 'Hello {{ contact.first_name }}', format: 'html', body: '<p>{{ contact.first_name }}</p>' });
    expect(((await json.json()) as { data: unknown[] }).data).toEqual([{ key: 'nurture-new', version: 2, changed: true, created: false }]);

    const list = await getJson(t.app, '/api/v1/templates', ws.adminKey.key);
    expect(list.body.data).toEqual([expect.objectContaining({ key: 'nurture-new', current_version: 2, subject: 'Hello {{ contact.first_name }}', body_format: 'html' })]);
    const one = await getJson(t.app, '/api/v1/templates/nurture-new?version=1', ws.adminKey.key);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ key: 'nurture-new', current_version: 2, version: { version: 1, body_format: 'mjml', preheader: 'Three things to try first' } });
    expect((one.body.versions as Array<{ version: number }>).map((v) => v.version)).toEqual([2, 1]);
    expect(String((one.body.version as { compiled_html: string }).compiled_html)).toMatch(/<!doctype html>/i);

    const preview = await post('/api/v1/templates/nurture-new/preview', { contact: 'ada@acme.example', version: 1 });
    expect(preview.status).toBe(200);
    const email = (await preview.json()) as { subject: string; html: string; text: string };
    expect(email.subject).toBe('Welcome, Ada');
    expect(email.html).toContain('Hi Ada at Acme');
    expect(email.html).toContain('https://northstack.example/start?utm_source=keel&amp;utm_medium=email&amp;utm_campaign=nurture-new&amp;utm_content=nurture-new');
    expect(email.html).not.toContain('/t/c/');
    expect(email.text).toContain('Hi Ada at Acme');

    const check = await getJson(t.app, '/api/v1/templates/nurture-new/check?version=1', ws.adminKey.key);
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ key: 'nurture-new', version: 1, ok: false, images: { count: 1, withoutAlt: ['https://cdn.example/hero.png'] }, unsubscribe: { ok: true } });
  });

  it('answers errors as JSON with paths, and 404 for unknown keys', async () => {
    const bad = await post('/api/v1/templates', { yaml: 'kind: template\nkey: x\nname: X\nsubject: S\nbody: <p>x</p>\nextra: 1\n' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toContain('unknown field(s) "extra"');
    const body = await post('/api/v1/templates', { kind: 'template', key: 'x', name: 'X', subject: 5, body: '<p>x</p>' });
    expect(((await body.json()) as { error: { message: string } }).error.message).toMatch(/body is not a valid template: subject: /);
    expect((await getJson(t.app, '/api/v1/templates/nope', ws.adminKey.key)).status).toBe(404);
    expect((await post('/api/v1/templates/nurture-new/preview', { contact: 'nobody@example.org' })).status).toBe(404);
  });

  it('is in the OpenAPI document and publishes the JSON Schema committed in schemas/', async () => {
    const doc = await (await t.app.request('/api/v1/openapi.json')).json() as { paths: Record<string, unknown> };
    for (const path of ['/api/v1/templates', '/api/v1/templates/{key}', '/api/v1/templates/{key}/preview', '/api/v1/templates/{key}/check', '/api/v1/schemas/email-template.json']) expect(doc.paths[path], path).toBeDefined();
    const file = JSON.parse(readFileSync(new URL('../../../schemas/email-template.schema.json', import.meta.url), 'utf8')) as unknown;
    expect(file, 'schemas/email-template.schema.json is stale: run keel schemas --write schemas').toEqual(TEMPLATE_JSON_SCHEMA);
    expect((await getJson(t.app, '/api/v1/schemas/email-template.json', ws.adminKey.key)).body).toEqual(TEMPLATE_JSON_SCHEMA);
  });
});
