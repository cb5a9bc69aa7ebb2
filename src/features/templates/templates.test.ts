import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { isAppError, type AppError } from '../../platform/errors.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import { saveStageRules } from '../audiences/index.ts';
import { cliActor } from '../audit/index.ts';
import { updatePolicies } from '../consent/index.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { applyTemplates, getTemplate, renderEmail, renderEmails, type RenderEmailInput } from './index.ts';
import { makeContact, mjmlBody, saveTemplate } from './template-fixtures.ts';

let t: TestApp;
let ws: CreatedWorkspace;
let ada: string;
let blank: string;
const publicUrl = 'http://keel.test';
const render = (templateKey: string, contactId: string, extra: Partial<RenderEmailInput> = {}) =>
  renderEmail(t.db.kysely, { workspaceId: ws.id, contactId, templateKey, messageId: randomUUID(), publicUrl, ...extra });

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected an AppError, got success');
}

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('templates');
  await updatePolicies(t.db.kysely, ws.id, { senderName: 'Northstack', senderEmail: 'hello@northstack.example', postalAddress: '1 Main St' }, cliActor());
  await saveStageRules(t.db.kysely, ws.id, 'engagement:\n  - { stage: engaged, when: { field: { name: email, op: exists } } }\n', cliActor());
  ada = await makeContact(t, ws, { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace', title: 'VP Marketing', plan: 'pro' }, { name: 'Acme Corp', domain: 'acme.example', industry: 'Software', employees: 5000 });
  blank = await makeContact(t, ws, { email: 'nobody@example.org' });
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`rendering: MJML once, Liquid per recipient (${testDatabaseLabel})`, () => {
  it('personalises subject, preheader, body and text with contact, account, stage and workspace data', async () => {
    await saveTemplate(t, ws, {
      key: 'welcome',
      subject: '{{ contact.first_name }}, {{ account.name }} and Northstack',
      preheader: 'For the {{ account.industry }} team',
      body: mjmlBody(`        <mj-text>Hi {{ contact.first_name }} {{ contact.last_name }} ({{ contact.title }}, plan {{ contact.plan }}), stage {{ stage.engagement }}, {{ account.employees }} people. From {{ workspace.sender_name }}.</mj-text>
        <mj-button href="https://northstack.example/demo">Book a demo</mj-button>`),
    });
    const email = await render('welcome', ada);
    expect(email).toMatchObject({ templateKey: 'welcome', templateVersion: 1, subject: 'Ada, Acme Corp and Northstack', preheader: 'For the Software team' });
    expect(email.html).toContain('Hi Ada Lovelace (VP Marketing, plan pro), stage engaged, 5000 people. From Northstack.');
    expect(email.html).toMatch(/<!doctype html>/i);
    expect(email.html).toContain('For the Software team</div>');
    expect(email.text).toContain('Hi Ada Lovelace (VP Marketing, plan pro), stage engaged');
    expect(email.text).not.toContain('For the Software team');
    expect(email.text).toContain('Book a demo');
  });

  it('uses | default: when a field has no data', async () => {
    await saveTemplate(t, ws, { key: 'defaults', subject: 'Hi {{ contact.first_name | default: "there" }}', body: mjmlBody('<mj-text>At {{ account.name | default: "your company" }} ({{ stage.lifecycle | default: "new" }})</mj-text>') });
    const email = await render('defaults', blank);
    expect(email.subject).toBe('Hi there');
    expect(email.html).toContain('At your company (new)');
  });

  it('refuses to render a field with no data and no default, naming every such field', async () => {
    await saveTemplate(t, ws, {
      key: 'strict',
      subject: 'Hi {{ contact.first_name }}',
      body: mjmlBody('<mj-text>{% if contact.title %}As {{ contact.title }}{% endif %}</mj-text>\n<mj-text>About {{ account.name }} and {{ contact.traits.plan }}</mj-text>'),
      text: 'Hi {{ contact.first_name }}, {{ contact.last_name }}',
    });
    const error = await refusal(render('strict', blank));
    expect(error.code).toBe('invalid');
    expect(error.message).toContain(
      'no data and no default for contact.first_name (subject line 1), account (body line 6), contact.traits.plan (body line 6), contact.first_name (text line 1), contact.last_name (text line 1)',
    );
    expect(error.message).not.toContain('contact.title');
    expect((error.details!.missing as unknown[]).length).toBe(5);
    // The same template renders for a contact that has the data.
    expect((await render('strict', ada)).subject).toBe('Hi Ada');
  });

  it('escapes hostile data in HTML and never reaches the prototype', async () => {
    // (Name normalization capitalises the last name; the quotes stay and must be escaped.)
    const mallory = await makeContact(t, ws, { email: 'mallory@evil.example', firstName: '<script>alert(1)</script>', lastName: '" onmouseover="x' });
    await saveTemplate(t, ws, { key: 'hostile', subject: 'Hi {{ contact.first_name }}', format: 'html', body: '<html><body><p title="{{ contact.last_name }}">Hi {{ contact.first_name }}</p></body></html>' });
    const email = await render('hostile', mallory);
    expect(email.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('title="&#34; Onmouseover=&#34;x"');
    expect(email.html).not.toContain('<script>');
    expect(email.subject).toBe('Hi <script>alert(1)</script>');
    await saveTemplate(t, ws, { key: 'proto', format: 'html', body: '<p>{{ contact.constructor }} {{ contact.email.length }}</p>' });
    expect((await refusal(render('proto', ada))).message).toContain('contact.constructor');
  });

  it('renders a batch: the same email as one by one, a refusal of its own for a recipient without the data or without a row', async () => {
    const recipients = [ada, blank, randomUUID()].map((contactId) => ({ contactId, messageId: randomUUID() }));
    const results = await renderEmails(t.db.kysely, { workspaceId: ws.id, templateKey: 'strict', publicUrl, recipients });
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    const one = await render('strict', ada, { messageId: recipients[0]!.messageId });
    expect(results[0]).toMatchObject({ ok: true, email: { subject: one.subject, text: one.text } });
    // Tracking tokens carry their issue time: the HTML matches but for the tokens.
    const untokened = (html: string) => html.replace(/\/t\/[co]\/[^"]+/g, '/t/token');
    expect(untokened((results[0] as { email: { html: string } }).email.html)).toBe(untokened(one.html));
    expect(results[1]).toMatchObject({ ok: false, contactId: blank, error: { code: 'invalid', message: expect.stringContaining('contact.first_name (subject line 1)') } });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'not_found' } });
    // A template that reads only contact fields renders the same with stage and account data unread.
    await saveTemplate(t, ws, { key: 'contact-only', subject: 'Hi {{ contact.first_name }}', body: mjmlBody('<mj-text>{{ contact.title }} {{ workspace.sender_name }}</mj-text>') });
    const [only] = await renderEmails(t.db.kysely, { workspaceId: ws.id, templateKey: 'contact-only', publicUrl, recipients: [recipients[0]!] });
    expect(only).toMatchObject({ ok: true, email: { subject: 'Hi Ada', html: expect.stringContaining('VP Marketing Northstack') } });
  });

  it('uses the plain-text override when the template has one', async () => {
    await saveTemplate(t, ws, { key: 'texted', format: 'html', body: '<p>HTML for {{ contact.first_name }}</p>', text: 'Text for {{ contact.first_name }}' });
    expect((await render('texted', ada)).text).toBe('Text for Ada');
  });
});

describe(`refused templates (${testDatabaseLabel})`, () => {
  const save = (doc: Record<string, unknown>) => refusal(applyTemplates(t.db.kysely, ws.id, { kind: 'template', key: 'bad', name: 'Bad', subject: 'x', ...doc }, cliActor()));

  it('reports Liquid syntax errors with the part, line and column', async () => {
    const unclosed = await save({ body: mjmlBody('<mj-text>\n{% if contact.first_name %}Hi\n</mj-text>') });
    expect(unclosed.message).toMatch(/template bad: body: Liquid syntax error at line 6, column 1: tag \{% if contact.first_name %\} not closed/);
    const filter = await save({ subject: 'Hi\n{{ contact.first_name | shout }}', body: '<p>x</p>' });
    expect(filter.message).toMatch(/subject: Liquid syntax error at line 2, column 1: undefined filter: shout/);
    expect((await save({ body: '<p>{% include "secrets" %}</p>' })).message).toMatch(/include %\} is not allowed/);
  });

  it('refuses invalid MJML with each problem and its line', async () => {
    const error = await save({ body: '<mjml>\n<mj-body>\n<mj-section>\n<mj-text color="red">x</mj-text>\n</mj-section>\n<mj-bogus />\n</mj-body>\n</mjml>' });
    expect(error.code).toBe('invalid');
    expect(error.message).toContain('body: invalid MJML: line 4 (mj-text): mj-text cannot be used inside mj-section');
    expect(error.message).toContain('line 6 (mj-bogus)');
  });

  it('refuses unknown topics', async () => {
    expect((await save({ body: '<p>x</p>', topic: 'nope' })).message).toMatch(/Unknown topic "nope"/);
  });

  it('stops a hostile loop by the render limits instead of hanging', async () => {
    await saveTemplate(t, ws, { key: 'loop', format: 'html', body: '<p>{% for i in (1..100000000) %}xxxxxxxxxx{% endfor %}</p>' });
    const error = await refusal(render('loop', ada));
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(/body: Liquid error: .*(limit|exceeded)/i);
  });
});

describe(`YAML documents (${testDatabaseLabel})`, () => {
  const apply = (yaml: string) => refusal(applyTemplates(t.db.kysely, ws.id, yaml, cliActor(), 'welcome.yaml'));

  it('names the path and line of each problem', async () => {
    const error = await apply('kind: template\nkey: welcome\nname: Welcome\nsubjct: Hi\nbody: <p>x</p>\n');
    expect(error.message).toContain('welcome.yaml is not a valid template');
    expect(error.message).toContain('subject (line 1): Invalid input');
    expect(error.message).toContain('(document) (line 1): unknown field(s) "subjct"');
    const typed = await apply('kind: template\nkey: Welcome Mail\nname: W\nsubject: [1]\nbody: <p>x</p>\n');
    expect(typed.message).toMatch(/key \(line 2\): a template key is lower-case letters/);
    expect(typed.message).toMatch(/subject \(line 4\)/);
    expect((await apply('kind: segment\nname: x\n')).message).toContain('kind (line 1)');
    expect((await apply('kind: template\nkey: [\n')).message).toMatch(/YAML syntax error at line \d+, column \d+/);
    const second = await apply('kind: template\nkey: a\nname: A\nsubject: A\nbody: <p>a</p>\n---\nkind: template\nkey: b\nname: B\nbody: <p>b</p>\n');
    expect(second.message).toContain('welcome.yaml (document 2) is not a valid template: subject (line 7)');
    // Nothing of the file was saved: the first document was fine, the second was not.
    expect((await refusal(getTemplate(t.db.kysely, ws.id, 'a'))).code).toBe('not_found');
  });
});

describe(`versions (${testDatabaseLabel})`, () => {
  it('makes a new version only when content changes; old versions stay readable and renderable', async () => {
    const doc = { key: 'versioned', subject: 'First {{ contact.first_name }}', format: 'html', body: '<p>one</p>' };
    expect(await saveTemplate(t, ws, doc)).toEqual({ key: 'versioned', version: 1, changed: true, created: true });
    expect(await saveTemplate(t, ws, doc)).toEqual({ key: 'versioned', version: 1, changed: false, created: false });
    expect(await saveTemplate(t, ws, { ...doc, subject: 'Second {{ contact.first_name }}', body: '<p>two</p>' })).toEqual({ key: 'versioned', version: 2, changed: true, created: false });
    const current = await getTemplate(t.db.kysely, ws.id, 'versioned');
    expect(current.current_version).toBe(2);
    expect(current.versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await getTemplate(t.db.kysely, ws.id, 'versioned', 1)).version.subject).toBe('First {{ contact.first_name }}');
    expect((await render('versioned', ada)).subject).toBe('Second Ada');
    const pinned = await render('versioned', ada, { version: 1 });
    expect(pinned).toMatchObject({ templateVersion: 1, subject: 'First Ada' });
    expect(pinned.html).toContain('one');
    expect((await refusal(render('versioned', ada, { version: 3 }))).message).toBe('Template versioned has no version 3 (versions 1 to 2)');
    expect((await refusal(render('missing-key', ada))).code).toBe('not_found');
  });
});
