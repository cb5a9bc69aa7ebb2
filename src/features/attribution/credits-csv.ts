import type { ChannelCredits } from './credits.ts';

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** Per-channel credits as CSV: channel, conversions, value (+ removal_effect for Markov). */
export function formatCreditsCsv(credits: ChannelCredits): string {
  const markov = credits.removalEffect !== undefined;
  const lines = [markov ? 'channel,conversions,value,removal_effect' : 'channel,conversions,value'];
  const order = credits.channels.map((_, i) => i).sort((a, b) => (credits.channels[a]! < credits.channels[b]! ? -1 : 1));
  for (const i of order) {
    const channel = credits.channels[i]!;
    const row = [csvField(channel), formatNumber(credits.conversions[i]!), formatNumber(credits.value[i]!)];
    if (markov) row.push(formatNumber(credits.removalEffect![i]!));
    lines.push(row.join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Full double precision, without exponent noise for ordinary figures. */
export function formatNumber(n: number): string {
  if (Object.is(n, -0) || Math.abs(n) < 1e-15) return '0';
  return String(Number(n.toPrecision(15)));
}

type WorkspaceCsvRow = { key: string; conversions: number; value: number; opportunities: number; pipeline: number; won: number; revenue: number };

/** Workspace credits as CSV: one row per key of the dimension, or per period and key with a breakdown. */
export function formatWorkspaceCsv(report: { dimension: string; rows: WorkspaceCsvRow[]; period?: string | null; by_period?: Array<WorkspaceCsvRow & { period: string }> }): string {
  const periods = report.period ? report.by_period ?? [] : null;
  const measures = (r: WorkspaceCsvRow) => [r.conversions, r.value, r.opportunities, r.pipeline, r.won, r.revenue].map(formatNumber);
  const lines = [`${periods ? 'period,' : ''}${csvField(report.dimension)},conversions,value,opportunities,pipeline,won,revenue`];
  if (periods) for (const r of periods) lines.push([csvField(r.period), csvField(r.key), ...measures(r)].join(','));
  else for (const r of report.rows) lines.push([csvField(r.key), ...measures(r)].join(','));
  return `${lines.join('\n')}\n`;
}
