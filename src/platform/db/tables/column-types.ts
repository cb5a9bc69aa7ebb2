import type { ColumnType } from 'kysely';

// Column types shared by the table files: how each SQL type reads and writes.
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type TimestampDefault = ColumnType<Date, Date | string | undefined, Date | string>;
export type Json<T = Record<string, unknown>> = ColumnType<T, T | string, T | string>;
export type JsonDefault<T = Record<string, unknown>> = ColumnType<T, T | string | undefined, T | string>;
// numeric comes back as a string from both drivers: exact, no float rounding.
export type Numeric = ColumnType<string, string | number, string | number>;
export type BigId = ColumnType<string, never, never>;
// bigint: pg returns it as a string, PGlite as a number; read through Number().
export type BigCount = ColumnType<string | number, number | undefined, number>;
