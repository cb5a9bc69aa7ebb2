import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { AppError } from '../../platform/errors.ts';
import { TrackingPlanSchema, type TrackingPlan } from './tracking-plan.schema.ts';

export const MAX_PLAN_BYTES = 512 * 1024;

/**
 * Parses tracking-plan YAML and validates it against the schema. Every error names where:
 * the line and column for YAML syntax, the path (events.2.properties.plan.enum) and its line
 * for a value the schema refuses.
 *
 * @example
 * const plan = parseTrackingPlanYaml('events:\n  - name: Demo Requested\n');
 */
export function parseTrackingPlanYaml(source: string, file = 'tracking-plan YAML'): TrackingPlan {
  const bytes = Buffer.byteLength(source);
  if (bytes > MAX_PLAN_BYTES) throw new AppError('too_large', `${file} is ${bytes} bytes; the limit is ${MAX_PLAN_BYTES} bytes`);
  refuseUnstorableText(source, file);
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const [syntax] = doc.errors;
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new AppError('invalid', `${file}: YAML syntax error at line ${at.line}, column ${at.col}: ${firstLine(syntax.message)}`, { line: at.line, column: at.col });
  }
  let value: unknown;
  try {
    // A small alias budget: a "billion laughs" document fails fast instead of exhausting memory.
    value = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new AppError('invalid', `${file}: ${(error as Error).message}`);
  }
  const parsed = TrackingPlanSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.map(String);
    const line = lineOf(doc, lines, path);
    const where = path.length > 0 ? path.join('.') : '(document)';
    return { path: where, line, message: `${where}${line ? ` (line ${line})` : ''}: ${issue.message}` };
  });
  throw new AppError('invalid', `${file} is not a valid tracking plan: ${issues.map((i) => i.message).join('; ')}`, { issues });
}

function refuseUnstorableText(source: string, file: string): void {
  const nul = source.indexOf('\u0000');
  if (nul >= 0) throw new AppError('invalid', `${file}: contains a NUL character (\\u0000) at line ${source.slice(0, nul).split('\n').length}, which cannot be stored`);
  if (!source.isWellFormed()) throw new AppError('invalid', `${file}: contains an unpaired UTF-16 surrogate, which is not valid Unicode`);
}

/** The line of the deepest node on the path that exists (a missing key points at its parent). */
function lineOf(doc: Document, lines: LineCounter, path: string[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth).map((p) => (/^\d+$/.test(p) ? Number(p) : p)), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

const firstLine = (message: string) => message.split('\n')[0]!.slice(0, 300);
