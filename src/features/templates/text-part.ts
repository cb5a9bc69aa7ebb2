import { compile as compileHtmlToText } from 'html-to-text';
import { Output, TokenKind } from 'liquidjs';
import type { CompiledTemplate } from './template-compiler.ts';

/** The plain-text part of an HTML email (links as "text [url]", no images, no preheader). */
export const htmlToText = compileHtmlToText({
  wordwrap: 78,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'div.keel-preheader', format: 'skip' },
  ],
});

/**
 * The document from its <body> on: html-to-text converts only the body anyway, and not
 * parsing MJML's <head> (its styles are most of the document) halves the conversion.
 */
export function bodyOf(html: string): string {
  const at = html.search(/<body\b/i);
  return at === -1 ? html : html.slice(at);
}

/**
 * The text part of a template version, converted once with a marker where each `{{ }}`
 * of the body goes: a recipient's text is this with the values their HTML render wrote
 * (entities decoded, white space collapsed, upper-cased in a heading: what html-to-text
 * does to them), instead of html-to-text over their whole HTML (about 0.15 ms per email).
 */
export interface TextPlan {
  /** html-to-text's output with markers \uE000<n>x\uE001 (X: the heading upper-cased it). */
  text: string;
}

const MARK_OPEN = '\uE000';
const MARK_CLOSE = '\uE001';
const MARKS = /\uE000(\d+)([xX])\uE001/g;

/**
 * The plan of a body, or null when a recipient's text could differ from html-to-text over
 * their HTML other than in line wrapping: Liquid tags ({% if %}, {% for %}: the structure
 * changes per recipient), an output inside markup (an attribute), a link (its text decides
 * whether the URL is shown), <pre>, <blockquote>, a comment, or with `| raw` (its value is HTML). `links`
 * rewrites the links as the recipients' HTML gets them (UTM parameters).
 */
export async function planTextPart(compiled: CompiledTemplate, links: (html: string) => Promise<string>): Promise<TextPlan | null> {
  let html = '';
  let outputs = 0;
  for (const template of compiled.html.templates) {
    if (template instanceof Output) {
      if (template.value.filters.some((f) => f.name === 'raw') || !inText(html)) return null;
      html += `${MARK_OPEN}${outputs++}x${MARK_CLOSE}`;
    } else if (template.token.kind === TokenKind.HTML) {
      html += (template as unknown as { str: string }).str;
    } else return null;
  }
  if (/[\uE000\uE001]/.test(html.replace(MARKS, ''))) return null;
  let text: string;
  try {
    text = htmlToText(bodyOf(await links(html)));
  } catch {
    return null;
  }
  // Every marker whole, and nothing in the text Liquid-like or marker-like left over.
  if (/[\uE000\uE001]/.test(text.replace(MARKS, ''))) return null;
  return { text };
}

/**
 * Outside any tag, comment, link, <pre> and <blockquote> (each wrapped line of a quote
 * gets "> ", so a longer value adds prefixes), by the last opening and closing seen.
 */
function inText(html: string): boolean {
  const lower = html.toLowerCase();
  const after = (open: string, close: string) => lower.lastIndexOf(open) > lower.lastIndexOf(close);
  return !after('<', '>') && !after('<!--', '-->') && !after('<a', '</a') && !after('<pre', '</pre') && !after('<textarea', '</textarea') && !after('<blockquote', '</blockquote');
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&#34;': '"', '&#39;': "'", '&quot;': '"' };

/** A recipient's text part: the plan with the values their HTML render wrote (in order); white space as html-to-text's whitespaceCharacters. */
export function fillTextPlan(plan: TextPlan, values: readonly string[]): string {
  return plan.text.replace(MARKS, (_, n: string, x: string) => {
    const value = (values[Number(n)] ?? '').replace(/&(?:amp|lt|gt|#34|#39|quot);/g, (e) => ENTITIES[e]!).replace(/[ \t\r\n\f\u200b]+/g, ' ');
    return x === 'X' ? value.toUpperCase() : value;
  });
}
