import { z } from '@hono/zod-openapi';
import { AppError } from '../errors.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export const LimitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(DEFAULT_PAGE_SIZE)
  .openapi({ description: `Page size, 1 to ${MAX_PAGE_SIZE}` });

export const CursorParam = z.string().max(500).optional().openapi({ description: 'The `next_cursor` of the previous page' });

/** A cursor is the sort position of the last row: opaque to clients, checked on the way in. */
export function encodeCursor(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

export type CursorPart = 'timestamp' | 'uuid' | 'bigint' | 'text';

const PART_PATTERNS: Record<CursorPart, (v: string) => boolean> = {
  timestamp: (v) => !Number.isNaN(Date.parse(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  bigint: (v) => /^\d{1,19}$/.test(v),
  text: (v) => v.length <= 200,
};

/** Decodes a cursor and checks each part's type, so a forged cursor is a 400, never a 500. */
export function decodeCursor(cursor: string | undefined, parts: readonly CursorPart[]): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === parts.length) {
      const strings = value.map(String);
      if (strings.every((v, i) => PART_PATTERNS[parts[i]!](v))) return strings;
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('invalid', `cursor "${cursor.slice(0, 40)}" is not valid; pass the next_cursor of a previous page`);
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

/** Builds a page from `limit + 1` rows: the extra row only says whether there is more. */
export function toPage<T>(rows: T[], limit: number, positionOf: (row: T) => readonly (string | number)[]): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(positionOf(last)) : null };
}

export const PageSchema = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable() });
