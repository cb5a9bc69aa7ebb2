/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Full double precision without exponent noise for ordinary figures; '' for null. */
export function csvNumber(n: number | null): string {
  if (n === null) return '';
  if (Object.is(n, -0) || Math.abs(n) < 1e-15) return '0';
  return String(Number(n.toPrecision(15)));
}

/**
 * A CSV document (RFC 4180: CRLF-free lines joined by \n as the rest of Keel writes them,
 * header row first) from rows of plain values.
 */
export function formatCsv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const cell = (v: string | number | null) => (typeof v === 'number' || v === null ? csvNumber(v) : csvField(v));
  return `${[header.map(csvField).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n')}\n`;
}
