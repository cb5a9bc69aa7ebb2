import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { pageContactCores } from '../contacts/index.ts';
import { renderParts } from './render-email.ts';
import { loadTemplateData } from './template-data.ts';
import type { TemplatePart } from './template-liquid.ts';
import { loadRenderableTemplate } from './templates.service.ts';

/** Words and phrases spam filters weigh against marketing mail (a short, common list). */
export const SPAM_TRIGGERS = [
  '100% free', 'act now', 'apply now', 'as seen on', 'buy now', 'cash bonus', 'click here', 'congratulations', 'dear friend',
  'double your', 'earn money', 'extra income', 'free gift', 'free money', 'guaranteed', 'increase sales', 'limited time', 'lowest price',
  'make money', 'no cost', 'no obligation', 'order now', 'risk-free', 'risk free', 'special promotion', 'this is not spam', 'urgent',
  'winner', 'you have been selected', '$$$',
];

export interface TemplateCheckReport {
  key: string;
  version: number;
  /** true when nothing below needs fixing (spam words are warnings). */
  ok: boolean;
  missingFields: { contactsChecked: number; contactsFailing: number; fields: Array<{ field: string; part: TemplatePart; line: number | null; contacts: number; examples: string[] }> };
  links: { count: number; http: string[]; other: string[]; empty: number };
  images: { count: number; withoutAlt: string[] };
  unsubscribe: { ok: boolean; issues: string[] };
  spamWords: Array<{ word: string; part: 'subject' | 'preheader' | 'body' }>;
  subject: { length: number; issues: string[] };
}

/**
 * QA before a template goes out: renders it for a sample of contacts (missing merge
 * fields per field, with how many contacts lack it), then checks the HTML of the first
 * render: links, alt text of images, that the gate's unsubscribe footer can be added and
 * be seen, spam-trigger words and the subject line.
 */
export async function checkTemplate(db: Kysely<Database>, workspaceId: string, key: string, options: { version?: number; sample?: number } = {}): Promise<TemplateCheckReport> {
  const { row, compiled } = await loadRenderableTemplate(db, workspaceId, key, options.version);
  const contacts = (await pageContactCores(db, workspaceId, undefined, options.sample ?? 50)).filter((c) => c.email);
  const fields = new Map<string, TemplateCheckReport['missingFields']['fields'][number]>();
  let failing = 0;
  let sample = renderParts(compiled, { contact: {}, scores: {}, stage: {}, workspace: {} });
  for (const [i, contact] of contacts.entries()) {
    const parts = renderParts(compiled, await loadTemplateData(db, workspaceId, contact.id));
    if (i === 0) sample = parts;
    if (parts.missing.length > 0) failing += 1;
    for (const m of parts.missing) {
      const entry = fields.get(`${m.part}:${m.field}`) ?? { field: m.field, part: m.part, line: m.line, contacts: 0, examples: [] };
      entry.contacts += 1;
      if (entry.examples.length < 3) entry.examples.push(contact.email!);
      fields.set(`${m.part}:${m.field}`, entry);
    }
  }
  // With no contact to try, report what a contact with no data at all would lack.
  if (contacts.length === 0) for (const m of sample.missing) fields.set(`${m.part}:${m.field}`, { field: m.field, part: m.part, line: m.line, contacts: 0, examples: [] });
  const html = sample.html;
  const report: TemplateCheckReport = {
    key,
    version: row.version,
    ok: false,
    missingFields: { contactsChecked: contacts.length, contactsFailing: failing, fields: [...fields.values()] },
    links: checkLinks(html),
    images: checkImages(html),
    unsubscribe: checkFooterPlacement(html),
    spamWords: findSpamWords({ subject: sample.subject, preheader: sample.preheader ?? '', body: textOf(html) }),
    subject: checkSubject(sample.subject),
  };
  report.ok = fields.size === 0 && report.links.empty === 0 && report.images.withoutAlt.length === 0 && report.unsubscribe.ok && report.subject.issues.length === 0;
  return report;
}

function checkLinks(html: string): TemplateCheckReport['links'] {
  const hrefs = [...html.matchAll(/<a\b[^>]*?\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => (m[1] ?? m[2] ?? '').trim());
  return { count: hrefs.length, http: hrefs.filter((h) => /^https?:\/\//i.test(h)), other: hrefs.filter((h) => h !== '' && !/^https?:\/\//i.test(h)), empty: hrefs.filter((h) => h === '' || h === '#').length };
}

function checkImages(html: string): TemplateCheckReport['images'] {
  const images = [...html.matchAll(/<img\b[^>]*>/gi)].map((m) => m[0]);
  const withoutAlt = images.filter((tag) => !/\salt\s*=\s*("[^"]*[^"\s][^"]*"|'[^']*[^'\s][^']*')/i.test(tag)).map((tag) => /\ssrc\s*=\s*["']([^"']*)["']/i.exec(tag)?.[1] ?? tag.slice(0, 100));
  return { count: images.length, withoutAlt };
}

/**
 * The gate inserts its footer (unsubscribe and preference links, postal address) before
 * the last </body>, or at the end. What would hide or break it: an unclosed comment,
 * style, script, title or textarea; more than one </body>; </html> before </body>.
 */
export function checkFooterPlacement(html: string): { ok: boolean; issues: string[] } {
  const issues: string[] = [];
  const lower = html.toLowerCase();
  if (lower.lastIndexOf('<!--') > lower.lastIndexOf('-->')) issues.push('an HTML comment (<!--) is never closed: the footer would be inside it, invisible');
  for (const tag of ['style', 'script', 'title', 'textarea', 'noscript']) {
    const open = (lower.match(new RegExp(`<${tag}\\b`, 'g')) ?? []).length;
    const close = (lower.match(new RegExp(`</${tag}\\s*>`, 'g')) ?? []).length;
    if (open > close) issues.push(`a <${tag}> element is never closed: the footer would become part of it`);
  }
  const bodies = (lower.match(/<\/body\s*>/g) ?? []).length;
  if (bodies > 1) issues.push(`the HTML has ${bodies} </body> tags; the footer goes before the last one`);
  const htmlEnd = lower.lastIndexOf('</html>');
  if (bodies > 0 && htmlEnd !== -1 && htmlEnd < lower.lastIndexOf('</body>')) issues.push('</html> comes before </body>');
  if (/<a\b[^>]*>(?![\s\S]*<\/a>)/i.test(html)) issues.push('a link (<a>) is never closed: the footer would be part of it');
  return { ok: issues.length === 0, issues };
}

function findSpamWords(parts: Record<'subject' | 'preheader' | 'body', string>): TemplateCheckReport['spamWords'] {
  const found: TemplateCheckReport['spamWords'] = [];
  for (const [part, text] of Object.entries(parts) as Array<['subject' | 'preheader' | 'body', string]>) {
    const lower = text.toLowerCase();
    for (const word of SPAM_TRIGGERS) {
      const at = lower.indexOf(word);
      // Whole words only: "winner" is not in "winnerless", "urgent" counts in "urgent!".
      if (at !== -1 && !/\w/.test(lower[at - 1] ?? ' ') && !/\w/.test(lower[at + word.length] ?? ' ')) found.push({ word, part });
    }
  }
  return found;
}

function checkSubject(subject: string): { length: number; issues: string[] } {
  const issues: string[] = [];
  if (subject.length === 0) issues.push('the subject is empty');
  if (subject.length > 150) issues.push(`the subject is ${subject.length} characters; inboxes show about 60`);
  const letters = subject.replace(/[^A-Za-z]/g, '');
  if (letters.length >= 8 && letters === letters.toUpperCase()) issues.push('the subject is all capitals');
  if (/!{2,}/.test(subject)) issues.push('the subject has repeated exclamation marks');
  return { length: subject.length, issues };
}

const textOf = (html: string) =>
  html
    .replace(/<(style|script|head)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ');
