/** A stable text form of a column value for equality checks: dates as ISO text, object keys sorted. */
export function comparableValue(value: unknown): string {
  return JSON.stringify(value instanceof Date ? value.toISOString() : (value ?? null), (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}
