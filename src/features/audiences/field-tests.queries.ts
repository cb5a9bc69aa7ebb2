import { sql, type RawBuilder } from 'kysely';
import { AppError } from '../../platform/errors.ts';
import type { ConditionValue, Operator, Scalar } from './conditions.ts';

type Bool = RawBuilder<unknown>;
const DAY_MS = 86_400_000;

/** What a test compares: a typed column, or a JSON value reached by a path. */
export type Operand =
  | { kind: 'text' | 'number' | 'time'; expr: RawBuilder<unknown> }
  | { kind: 'json'; doc: RawBuilder<unknown>; path: string[] };

export function invalid(path: string, message: string): AppError {
  return new AppError('invalid', `${path}: ${message}`, { field: path });
}

const isDateText = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) && !Number.isNaN(Date.parse(v));

function scalarOf(value: ConditionValue | undefined, path: string, op: Operator): Scalar {
  if (value === undefined || Array.isArray(value)) throw invalid(path, `operator "${op}" needs one value, got ${JSON.stringify(value ?? null)}`);
  return value;
}

function listOf(value: ConditionValue | undefined, path: string, op: Operator): Scalar[] {
  if (!Array.isArray(value) || value.length === 0) throw invalid(path, `operator "${op}" needs a non-empty list of values, got ${JSON.stringify(value ?? null)}`);
  return value;
}

function numberOf(value: Scalar, path: string, op: Operator): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(path, `operator "${op}" needs a number here, got ${JSON.stringify(value)}`);
  return value;
}

const textOf = (o: Operand) => (o.kind === 'json' ? sql`(${o.doc} #>> ${o.path}::text[])` : o.kind === 'text' ? o.expr : sql`(${o.expr})::text`);
const jsonOf = (o: Extract<Operand, { kind: 'json' }>) => sql`(${o.doc} #> ${o.path}::text[])`;
const numOf = (o: Operand, path: string, op: Operator) => {
  if (o.kind === 'number') return o.expr;
  if (o.kind === 'json') return sql`(case when jsonb_typeof(${jsonOf(o)}) = 'number' then (${jsonOf(o)})::numeric end)`;
  throw invalid(path, `operator "${op}" with a number needs a number field, and this field holds ${o.kind}`);
};
const timeOf = (o: Operand, path: string, op: Operator) => {
  if (o.kind === 'time') return o.expr;
  if (o.kind === 'json') return sql`keel_try_timestamptz(${textOf(o)})`;
  throw invalid(path, `operator "${op}" needs a date field, and this field holds ${o.kind}`);
};

/** Compares numbers as numbers and ISO dates as times; anything else is refused. */
function compareOrdered(o: Operand, cmp: '>' | '>=' | '<' | '<=', value: Scalar, path: string, op: Operator): Bool {
  if (typeof value === 'number') return sql`(${numOf(o, path, op)} ${sql.raw(cmp)} ${value}::numeric)`;
  if (isDateText(value)) return sql`(${timeOf(o, path, op)} ${sql.raw(cmp)} ${new Date(value).toISOString()}::timestamptz)`;
  throw invalid(path, `operator "${op}" needs a number or an ISO date, got ${JSON.stringify(value)}`);
}

function equals(o: Operand, value: Scalar): Bool {
  if (o.kind === 'json') return sql`(${jsonOf(o)} = ${JSON.stringify(value)}::jsonb)`;
  if (o.kind === 'number' && typeof value === 'number') return sql`(${o.expr} = ${value}::numeric)`;
  if (o.kind === 'time' && isDateText(value)) return sql`(${o.expr} = ${new Date(value).toISOString()}::timestamptz)`;
  return sql`(${textOf(o)} = ${String(value)}::text)`;
}

function memberOf(o: Operand, values: Scalar[]): Bool {
  if (o.kind === 'json') return sql`(${jsonOf(o)} = any(${values.map((v) => JSON.stringify(v))}::jsonb[]))`;
  if (o.kind === 'number' && values.every((v) => typeof v === 'number')) return sql`(${o.expr} = any(${values}::numeric[]))`;
  return sql`(${textOf(o)} = any(${values.map(String)}::text[]))`;
}

function exists(o: Operand): Bool {
  if (o.kind === 'json') return sql`(coalesce(jsonb_typeof(${jsonOf(o)}), 'null') <> 'null')`;
  return sql`(${o.expr} is not null)`;
}

/** One operator applied to one operand, as a boolean SQL expression (never null). */
export function compileTest(o: Operand, op: Operator, value: ConditionValue | undefined, path: string, now: Date): Bool {
  const noValue = ['exists', 'not_exists', 'is_empty'].includes(op);
  if (noValue && value !== undefined) throw invalid(path, `operator "${op}" takes no value, got ${JSON.stringify(value)}`);
  switch (op) {
    case 'eq':
      return sql`coalesce(${equals(o, scalarOf(value, path, op))}, false)`;
    case 'neq':
      return sql`(${equals(o, scalarOf(value, path, op))} is not true)`;
    case 'in':
      return sql`coalesce(${memberOf(o, listOf(value, path, op))}, false)`;
    case 'not_in':
      return sql`(${memberOf(o, listOf(value, path, op))} is not true)`;
    case 'contains':
      return sql`coalesce(strpos(lower(${textOf(o)}), lower(${String(scalarOf(value, path, op))}::text)) > 0, false)`;
    case 'starts_with':
      return sql`coalesce(starts_with(lower(${textOf(o)}), lower(${String(scalarOf(value, path, op))}::text)), false)`;
    case 'ends_with': {
      const v = String(scalarOf(value, path, op)).toLowerCase();
      return sql`coalesce(right(lower(${textOf(o)}), ${v.length}::int) = ${v}::text, false)`;
    }
    case 'gt':
      return sql`coalesce(${compareOrdered(o, '>', scalarOf(value, path, op), path, op)}, false)`;
    case 'gte':
      return sql`coalesce(${compareOrdered(o, '>=', scalarOf(value, path, op), path, op)}, false)`;
    case 'lt':
      return sql`coalesce(${compareOrdered(o, '<', scalarOf(value, path, op), path, op)}, false)`;
    case 'lte':
      return sql`coalesce(${compareOrdered(o, '<=', scalarOf(value, path, op), path, op)}, false)`;
    case 'between': {
      const [low, high, ...rest] = listOf(value, path, op);
      if (low === undefined || high === undefined || rest.length > 0) throw invalid(path, `operator "between" needs [low, high], got ${JSON.stringify(value)}`);
      return sql`coalesce(${compareOrdered(o, '>=', low, path, op)} and ${compareOrdered(o, '<=', high, path, op)}, false)`;
    }
    case 'exists':
      return exists(o);
    case 'not_exists':
      return sql`(not ${exists(o)})`;
    case 'is_empty':
      if (o.kind === 'json') return sql`(coalesce(${textOf(o)}, '') = '' or ${jsonOf(o)} in ('[]'::jsonb, '{}'::jsonb))`;
      return o.kind === 'text' ? sql`(coalesce(${o.expr}, '') = '')` : sql`(${o.expr} is null)`;
    case 'within_last_days': {
      const days = numberOf(scalarOf(value, path, op), path, op);
      if (days <= 0) throw invalid(path, `operator "within_last_days" needs a positive number of days, got ${days}`);
      const since = new Date(now.getTime() - days * DAY_MS).toISOString();
      const t = timeOf(o, path, op);
      return sql`coalesce(${t} >= ${since}::timestamptz and ${t} <= ${now.toISOString()}::timestamptz, false)`;
    }
    case 'before':
    case 'after': {
      const v = scalarOf(value, path, op);
      if (!isDateText(v)) throw invalid(path, `operator "${op}" needs an ISO date, got ${JSON.stringify(v)}`);
      return sql`coalesce(${timeOf(o, path, op)} ${sql.raw(op === 'before' ? '<' : '>')} ${new Date(v).toISOString()}::timestamptz, false)`;
    }
  }
}
