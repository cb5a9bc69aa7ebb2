import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addEmailTracking } from '../email-tracking/index.ts';
import { renderParts } from './render-email.ts';
import { compileTemplateContent, loadCompiledTemplate, type CompiledTemplate } from './template-compiler.ts';
import { mjmlBody } from './template-fixtures.ts';
import { bodyOf, fillTextPlan, htmlToText, planTextPart } from './text-part.ts';

async function compile(body: string, preheader: string | null = null): Promise<CompiledTemplate> {
  const content = { subject: 'Hi', preheader, bodyFormat: body.trimStart().startsWith('<mjml') ? ('mjml' as const) : ('html' as const), body, textBody: null };
  return loadCompiledTemplate(content, await compileTemplateContent(content));
}

// The links as a recipient's HTML gets them for its text part (UTM parameters), no database needed with a signer.
const links = async (html: string) =>
  (await addEmailTracking(undefined as never, html, { workspaceId: 'w', contactId: 'c', messageId: 'm', templateKey: 'nurture', templateVersion: 1, journeyId: 'j', journeyVersion: 1, stepId: 's', variant: null, publicUrl: 'https://keel.example' }, () => '')).untrackedHtml;

/** What a recipient's text part was before plans: html-to-text over their whole rendered HTML. */
async function textPerRecipient(compiled: CompiledTemplate, data: Record<string, unknown>): Promise<string> {
  return htmlToText(bodyOf(await links(renderParts(compiled, data).html)));
}

async function textFromPlan(compiled: CompiledTemplate, data: Record<string, unknown>): Promise<string> {
  const plan = await planTextPart(compiled, links);
  if (!plan) throw new Error('no plan');
  const values: string[] = [];
  renderParts(compiled, data, values);
  return fillTextPlan(plan, values);
}

// The same words in the same order; only line wrapping (and so runs of white space) may differ.
const words = (text: string) => text.replace(/\s+/g, ' ').trim();

const BODIES = {
  bench: mjmlBody(`<mj-text>Ready, {{ contact.first_name }}? You are {{ contact.title | default: "a leader" }} at {{ contact.company | default: "your company" }}.</mj-text>
  <mj-button href="https://northwind.example/demo">Book a demo</mj-button>
  <mj-text><a href="https://northwind.example/blog?utm_campaign=blog">Blog</a></mj-text>`),
  headings: mjmlBody(`<mj-text><h1>Hello {{ contact.first_name }}</h1><h3>For {{ contact.company | default: "you" }}</h3>
  <p>Dear {{ contact.first_name }},<br>your plan: {{ contact.title | default: "none" }} &amp; more.</p>
  <ul><li>{{ contact.company | default: "Acme" }}</li><li>Item &lt;two&gt;</li></ul>
  <blockquote>A quote</blockquote><ol><li>{{ contact.title | default: "a" }} and a long line of words that wraps in the list item</li></ol></mj-text>
  <mj-table><tr><th>Name</th><td>{{ contact.first_name | upcase }}</td></tr></mj-table>`),
  html: `<html><head><title>{{ contact.first_name }}</title></head><body><p>Hi {{ contact.first_name }}!</p><div>{{ contact.company | default: "x" | truncate: 12 }}</div><p>See <a href="https://x.example/a">our site</a>.</p></body></html>`,
};

const value = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'Z', ' ', '  ', '\n', '\t', '&', '<b>', '"', "'", '&amp;', '\u00a0', 'ß', 'é', '😀', '[x]', 'w'.repeat(90)), fc.string({ unit: 'grapheme', maxLength: 2 })), minLength: 1, maxLength: 12 }).filter((s) => s.trim() !== '');

describe('the text part from a plan made once per template version', () => {
  for (const [name, body] of Object.entries(BODIES)) {
    it(`has the words html-to-text gives over each recipient's HTML (${name})`, async () => {
      const compiled = await compile(body, name === 'bench' ? 'Preview for {{ contact.first_name }}' : null);
      await fc.assert(
        fc.asyncProperty(value, value, value, async (firstName, company, title) => {
          const data = { contact: { first_name: firstName, company, title }, workspace: {}, scores: {}, stage: {} };
          expect(words(await textFromPlan(compiled, data))).toBe(words(await textPerRecipient(compiled, data)));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('is exactly the same text when the values are short plain words', async () => {
    const compiled = await compile(BODIES.bench);
    const data = { contact: { first_name: 'Ada', company: 'Acme & Co', title: 'CTO' }, workspace: {}, scores: {}, stage: {} };
    expect(await textFromPlan(compiled, data)).toBe(await textPerRecipient(compiled, data));
  });

  it('is not made when a recipient could get a different text: tags, outputs in markup or links, raw HTML, comments, <pre>, quotes', async () => {
    for (const inner of [
      '{% if contact.vip %}<p>VIP</p>{% endif %}',
      '{% for i in (1..2) %}<p>{{ i }}</p>{% endfor %}',
      '<p title="{{ contact.first_name }}">x</p>',
      '<a href="https://x.example/">{{ contact.first_name }}</a>',
      '<p>{{ contact.bio | raw }}</p>',
      '<!-- {{ contact.first_name }} --><p>x</p>',
      '<pre>{{ contact.first_name }}</pre>',
      '<blockquote><p>{{ contact.first_name }}</p></blockquote>',
    ]) {
      expect(await planTextPart(await compile(`<html><body>${inner}</body></html>`), links), inner).toBeNull();
    }
    expect(await planTextPart(await compile('<html><body><p>{{ contact.first_name }}</p></body></html>'), links)).not.toBeNull();
  });
});
