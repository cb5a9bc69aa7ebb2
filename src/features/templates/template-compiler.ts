import { AppError } from '../../platform/errors.ts';
import type { TemplateBodyFormat } from '../../platform/db/schema.ts';
import { parseLiquidPart, rootVariablesOf, type LiquidPart } from './template-liquid.ts';

export interface TemplateContent {
  subject: string;
  preheader: string | null;
  bodyFormat: TemplateBodyFormat;
  body: string;
  textBody: string | null;
}

/** A version ready to render: its compiled HTML and the parsed Liquid of every part. */
export interface CompiledTemplate {
  subject: LiquidPart;
  preheader: LiquidPart | null;
  html: LiquidPart;
  text: LiquidPart | null;
  /** The root variables the parts read (null: unknown, load everything); a render loads only those. */
  roots: Set<string> | null;
}

interface MjmlIssue {
  line?: number;
  message?: string;
  tagName?: string;
}

/** The body format when the document does not say: MJML when it starts with <mjml>. */
export const detectBodyFormat = (body: string): TemplateBodyFormat => (/^\s*(<\?xml[^>]*>\s*)?<mjml[\s>]/i.test(body) ? 'mjml' : 'html');

/**
 * MJML to HTML, once per version. Strict validation: invalid MJML is refused with each
 * problem's line and message. `mj-include` is ignored (user templates must not read files).
 */
export async function compileMjml(body: string): Promise<string> {
  // Loaded on first use: mjml takes about a second to import, which every CLI command would pay.
  const { default: mjml2html } = await import('mjml');
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(body, { validationLevel: 'strict', ignoreIncludes: true, keepComments: false });
  } catch (error) {
    const issues = ((error as { errors?: MjmlIssue[] }).errors ?? []).slice(0, 20).map((e) => ({ line: e.line ?? null, tag: e.tagName ?? null, message: e.message ?? 'invalid' }));
    if (issues.length === 0) throw new AppError('invalid', `body: MJML could not be compiled: ${(error as Error).message.split('\n')[0]}`, { field: 'body' });
    throw new AppError('invalid', `body: invalid MJML: ${issues.map((i) => `line ${i.line ?? '?'}${i.tag ? ` (${i.tag})` : ''}: ${i.message}`).join('; ')}`, { field: 'body', issues });
  }
  return result.html;
}

/** Checks every part's Liquid against its source (lines as written) and compiles the body. */
export async function compileTemplateContent(content: TemplateContent): Promise<string> {
  parseLiquidPart('subject', content.subject, { html: false });
  if (content.preheader) parseLiquidPart('preheader', content.preheader, { html: false });
  if (content.textBody) parseLiquidPart('text', content.textBody, { html: false });
  // Liquid syntax is checked on the body as written, so errors carry the author's lines.
  parseLiquidPart('body', content.body, { html: true });
  const html = content.bodyFormat === 'mjml' ? await compileMjml(content.body) : content.body;
  parseLiquidPart('body', html, { html: true, lineSource: content.body });
  return html;
}

/** Parses a stored version (compiled HTML in the row) into renderable parts. */
export function loadCompiledTemplate(content: TemplateContent, compiledHtml: string): CompiledTemplate {
  const parts = {
    subject: parseLiquidPart('subject', content.subject, { html: false }),
    preheader: content.preheader ? parseLiquidPart('preheader', content.preheader, { html: false }) : null,
    html: parseLiquidPart('body', compiledHtml, { html: true, lineSource: content.body }),
    text: content.textBody ? parseLiquidPart('text', content.textBody, { html: false }) : null,
  };
  return { ...parts, roots: rootVariablesOf([parts.subject, parts.preheader, parts.html, parts.text]) };
}

/** A small least-recently-used cache (a Map keeps insertion order). */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();
  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}
