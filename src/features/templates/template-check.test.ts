import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseLabel } from '../../platform/db/test-database.ts';
import { createTestApp, type TestApp } from '../../testing/test-app.ts';
import type { CreatedWorkspace } from '../workspaces/index.ts';
import { checkTemplate } from './index.ts';
import { checkFooterPlacement } from './template-check.ts';
import { makeContact, mjmlBody, saveTemplate } from './template-fixtures.ts';

let t: TestApp;
let ws: CreatedWorkspace;

beforeAll(async () => {
  t = await createTestApp();
  ws = await t.workspace('template-check');
  await makeContact(t, ws, { email: 'ada@acme.example', firstName: 'Ada', title: 'CTO' });
  await makeContact(t, ws, { email: 'bob@acme.example', firstName: 'Bob' });
  await makeContact(t, ws, { email: 'anon@acme.example' });
});
afterAll(async () => {
  await t.mailer.close();
  await t.close();
});

describe(`checkTemplate (${testDatabaseLabel})`, () => {
  it('reports missing merge fields per field over a sample, links, images without alt, spam words and the subject', async () => {
    await saveTemplate(t, ws, {
      key: 'qa',
      subject: 'URGENT OFFER FOR {{ contact.first_name | upcase }}!!',
      body: mjmlBody(`        <mj-text>Hi {{ contact.first_name }}, as {{ contact.title }} you are our winner. Act now: it is 100% free.</mj-text>
        <mj-image src="https://cdn.example/a.png" alt="Our product" />
        <mj-image src="https://cdn.example/b.png" />
        <mj-button href="https://northstack.example/go">Go</mj-button>
        <mj-text><a href="mailto:hi@northstack.example">Write</a> <a href="#">Nowhere</a></mj-text>`),
    });
    const report = await checkTemplate(t.db.kysely, ws.id, 'qa');
    expect(report.ok).toBe(false);
    expect(report.missingFields.contactsChecked).toBe(3);
    expect(report.missingFields.contactsFailing).toBe(2);
    const byField = Object.fromEntries(report.missingFields.fields.map((f) => [`${f.part}:${f.field}`, f.contacts]));
    expect(byField).toEqual({ 'subject:contact.first_name': 1, 'body:contact.first_name': 1, 'body:contact.title': 2 });
    expect(report.images).toEqual({ count: 2, withoutAlt: ['https://cdn.example/b.png'] });
    expect(report.links).toMatchObject({ count: 3, http: ['https://northstack.example/go'], other: ['mailto:hi@northstack.example', '#'], empty: 1 });
    expect(report.spamWords.map((w) => `${w.part}:${w.word}`).sort()).toEqual(['body:100% free', 'body:act now', 'body:winner', 'subject:urgent']);
    expect(report.subject.issues).toEqual(['the subject is all capitals', 'the subject has repeated exclamation marks']);
    expect(report.unsubscribe).toEqual({ ok: true, issues: [] });
  });

  it('passes a clean template', async () => {
    await saveTemplate(t, ws, { key: 'clean', subject: 'News for {{ contact.first_name | default: "you" }}', body: mjmlBody('        <mj-text>Hello {{ contact.first_name | default: "there" }}</mj-text>\n        <mj-image src="https://cdn.example/a.png" alt="Chart" />') });
    const report = await checkTemplate(t.db.kysely, ws.id, 'clean');
    expect(report.missingFields.fields).toEqual([]);
    expect(report.spamWords).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('finds HTML that would hide or swallow the gate’s unsubscribe footer', async () => {
    await saveTemplate(t, ws, { key: 'broken', format: 'html', body: '<html><body><p>Hi</p><!-- TODO: footer </body></html>' });
    expect((await checkTemplate(t.db.kysely, ws.id, 'broken')).unsubscribe.issues).toEqual(['an HTML comment (<!--) is never closed: the footer would be inside it, invisible']);
    expect(checkFooterPlacement('<body><style>p{}</body>').issues).toEqual(['a <style> element is never closed: the footer would become part of it']);
    expect(checkFooterPlacement('<body>a</body><body>b</body>').issues).toEqual(['the HTML has 2 </body> tags; the footer goes before the last one']);
    expect(checkFooterPlacement('<body><a href="https://x.example">open').issues).toEqual(['a link (<a>) is never closed: the footer would be part of it']);
    expect(checkFooterPlacement('<p>no body tag at all</p>')).toEqual({ ok: true, issues: [] });
  });
});
