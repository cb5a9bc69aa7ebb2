import { Liquid, LiquidError, Output, toValueSync, UndefinedVariableError, type Template } from 'liquidjs';
import { AppError } from '../../platform/errors.ts';

/** A part of an email that is Liquid: where a missing field or a syntax error is. */
export type TemplatePart = 'subject' | 'preheader' | 'body' | 'text';

export interface MissingField {
  /** The variable as the template names it, e.g. contact.first_name. */
  field: string;
  part: TemplatePart;
  /** The line of the part's source where the field is used (first use). */
  line: number | null;
}

/** Parsed Liquid of one part, instrumented to collect every missing field of a render. */
export interface LiquidPart {
  part: TemplatePart;
  /** The text lines of missing fields refer to (the MJML source of a compiled body). */
  source: string;
  templates: Template[];
}

const COLLECT = Symbol('keel.missing-fields');
const CAPTURE = Symbol('keel.output-values');

// Limits against hostile templates ({% for i in (1..100000000) %}): parse size, render
// time (ms, cumulative per render) and memory (characters allocated by filters and tags).
const LIMITS = { parseLimit: 1_000_000, renderLimit: 2_000, memoryLimit: 20_000_000 };

/**
 * Two engines: HTML escapes every output (`| raw` opts out), text parts do not. Strict
 * filters, own properties only (no `constructor` or prototype), undefined variables are
 * errors except in `if`/`unless` and under `| default:` (lenientIf).
 */
function createEngine(escapeHtml: boolean): Liquid {
  const engine = new Liquid({
    strictFilters: true,
    strictVariables: true,
    lenientIf: true,
    ownPropertyOnly: true,
    jsTruthy: false,
    ...(escapeHtml ? { outputEscape: 'escape' as const } : {}),
    ...LIMITS,
  });
  // No filesystem: user templates must not read files or other templates.
  for (const tag of ['include', 'render', 'layout']) {
    engine.registerTag(tag, {
      parse() {
        throw new Error(`{% ${tag} %} is not allowed in email templates`);
      },
      render() {
        return '';
      },
    });
  }
  return engine;
}

const HTML_ENGINE = createEngine(true);
const TEXT_ENGINE = createEngine(false);

/** Parses one part; a syntax error is `invalid` with the part, line and column. */
export function parseLiquidPart(part: TemplatePart, source: string, options: { html: boolean; lineSource?: string }): LiquidPart {
  const engine = options.html ? HTML_ENGINE : TEXT_ENGINE;
  let templates: Template[];
  try {
    templates = engine.parse(source);
  } catch (error) {
    if (!(error instanceof LiquidError)) throw error;
    const [line, column] = positionOf(error);
    const reason = error.message.replace(/, line:\d+, col:\d+$/, '');
    throw new AppError('invalid', `${part}: Liquid syntax error at line ${line}, column ${column}: ${reason}`, { field: part, line, column });
  }
  instrument(templates);
  return { part, source: options.lineSource ?? source, templates };
}

function positionOf(error: LiquidError): [number, number] {
  const match = /line:(\d+), col:(\d+)/.exec(error.message);
  return match ? [Number(match[1]), Number(match[2])] : [1, 1];
}

/** Every `{{ }}` of the tree (inside if/for/case too) records a missing variable instead of failing the render. */
function instrument(templates: Template[]): void {
  for (const template of templates) {
    if (template instanceof Output) {
      const render = template.render.bind(template);
      template.render = function* (ctx, emitter) {
        const capture = (ctx.environments as Record<symbol, string[] | undefined>)[CAPTURE];
        try {
          if (!capture) return yield* render(ctx, emitter);
          // What the output writes, also kept in order (text-part.ts fills the text part with it).
          let value = '';
          const result = yield* render(ctx, { write: (v: unknown) => ((value = v === null || v === undefined ? '' : String(v)), emitter.write(v)) } as typeof emitter);
          capture.push(value);
          return result;
        } catch (error) {
          const collect = (ctx.environments as Record<symbol, string[] | undefined>)[COLLECT];
          if (!(error instanceof UndefinedVariableError) || !collect) throw error;
          collect.push(fieldOf(error));
          capture?.push('');
          return undefined;
        }
      };
      continue;
    }
    const withChildren = template as Template & { children?: (partials: boolean, sync: boolean) => Generator<unknown, Template[]> };
    if (typeof withChildren.children === 'function') instrument(toValueSync(withChildren.children(false, true)) as Template[]);
  }
}

/**
 * The root variables the parts read (contact, account, scores, ...), from liquidjs's static
 * analysis; null when the analysis fails (then a render loads every kind of data).
 */
export function rootVariablesOf(parts: ReadonlyArray<LiquidPart | null>): Set<string> | null {
  try {
    return new Set(parts.flatMap((p) => (p ? HTML_ENGINE.globalVariablesSync(p.templates) : [])));
  } catch {
    return null;
  }
}

const fieldOf = (error: UndefinedVariableError) => /undefined variable: ([^,]+)/.exec(error.message)?.[1] ?? error.message;

/**
 * Renders a part for one recipient. Returns the output and the fields it needed but had
 * no data for (a missing variable in a tag such as `for` stops the render there).
 * `capture` receives what each `{{ }}` wrote, in the order rendered.
 */
export function renderLiquidPart(parsed: LiquidPart, data: Record<string, unknown>, html: boolean, capture?: string[]): { output: string; missing: MissingField[] } {
  const fields: string[] = [];
  const scope = { ...data, [COLLECT]: fields, ...(capture ? { [CAPTURE]: capture } : {}) };
  let output = '';
  try {
    output = (html ? HTML_ENGINE : TEXT_ENGINE).renderSync(parsed.templates, scope) as string;
  } catch (error) {
    if (error instanceof UndefinedVariableError) fields.push(fieldOf(error));
    else if (error instanceof LiquidError) throw new AppError('invalid', `${parsed.part}: Liquid error: ${error.message}`, { field: parsed.part });
    else throw error;
  }
  const unique = [...new Set(fields)];
  return { output, missing: unique.map((field) => ({ field, part: parsed.part, line: lineOfField(parsed.source, field) })) };
}

function lineOfField(source: string, field: string): number | null {
  const lines = source.split('\n');
  const at = lines.findIndex((l) => l.includes(field));
  return at === -1 ? null : at + 1;
}
