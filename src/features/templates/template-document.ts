import { isNode, LineCounter, parseAllDocuments, type Document } from 'yaml';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';

const MAX_DOCUMENT_BYTES = 512 * 1024;

export const TEMPLATE_KEY = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, { error: (i) => `a template key is lower-case letters, digits and _ . - (starting with a letter or digit), got ${JSON.stringify(i.input)}` });

/** One email template as a YAML document (`kind: template`, schemas/email-template.schema.json). */
export const TemplateDocumentSchema = z
  .object({
    kind: z.literal('template').describe('Always "template"'),
    key: TEMPLATE_KEY.describe('Stable identifier used by journeys and the API'),
    name: z.string().min(1).max(200),
    subject: z.string().min(1).max(1000).describe('Liquid'),
    preheader: z.string().max(1000).optional().describe('Liquid; the preview text shown after the subject in inboxes'),
    format: z.enum(['mjml', 'html']).optional().describe('How to read body; default mjml when the body starts with <mjml>, else html'),
    body: z.string().min(1).max(MAX_DOCUMENT_BYTES).describe('MJML (compiled once per version) or HTML, with Liquid'),
    text: z.string().max(MAX_DOCUMENT_BYTES).optional().describe('Liquid plain-text part; default: made from the rendered HTML'),
    topic: z.string().min(1).max(100).optional().describe('Key of the subscription topic sends use by default'),
  })
  .strict();

export type TemplateDocument = z.infer<typeof TemplateDocumentSchema>;

export const TEMPLATE_JSON_SCHEMA: Record<string, unknown> = {
  ...z.toJSONSchema(TemplateDocumentSchema, { io: 'input' }),
  $id: 'https://keel.dev/schemas/email-template.schema.json',
  title: 'Keel email template',
};

export interface TemplateIssue {
  path: string;
  line?: number | undefined;
  message: string;
}

/**
 * Templates from YAML text (one document, or several separated by `---`) or from an
 * already parsed value (the API's JSON body). Errors name the document, the path and its line.
 */
export function parseTemplateDocuments(input: string | unknown, file = 'template YAML'): TemplateDocument[] {
  if (typeof input !== 'string') return [validate(input, undefined, file, 0, 1)];
  const bytes = Buffer.byteLength(input);
  if (bytes > MAX_DOCUMENT_BYTES) throw new AppError('too_large', `${file} is ${bytes} bytes; the limit is ${MAX_DOCUMENT_BYTES} bytes`);
  if (input.includes('\u0000')) throw new AppError('invalid', `${file}: contains a NUL character, which cannot be stored`);
  const lines = new LineCounter();
  const docs = parseAllDocuments(input, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const result: TemplateDocument[] = [];
  list.forEach((doc, i) => {
    const [syntax] = doc.errors;
    if (syntax) {
      const at = lines.linePos(syntax.pos[0]);
      throw new AppError('invalid', `${file}: YAML syntax error at line ${at.line}, column ${at.col}: ${syntax.message.split('\n')[0]}`, { line: at.line, column: at.col });
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      throw new AppError('invalid', `${file}: ${(error as Error).message}`);
    }
    if (value === null || value === undefined) return;
    result.push(validate(value, { doc, lines }, file, i, list.length));
  });
  if (result.length === 0) throw new AppError('invalid', `${file}: no template document found`);
  return result;
}

function validate(value: unknown, source: { doc: Document; lines: LineCounter } | undefined, file: string, index: number, count: number): TemplateDocument {
  const parsed = TemplateDocumentSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const where = count > 1 ? `${file} (document ${index + 1})` : file;
  const issues: TemplateIssue[] = parsed.error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.map(String);
    const line = source ? lineOf(source.doc, source.lines, path) : undefined;
    const at = path.length > 0 ? path.join('.') : '(document)';
    const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return { path: at, line, message: `${at}${line ? ` (line ${line})` : ''}: ${message}` };
  });
  throw new AppError('invalid', `${where} is not a valid template: ${issues.map((i) => i.message).join('; ')}`, { issues });
}

/** The line of the deepest node on the path that exists (a missing key points at its parent). */
function lineOf(doc: Document, lines: LineCounter, path: string[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}
