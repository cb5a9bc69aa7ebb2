import type { Command } from 'commander';
import { buildHealthReport, takeHealthSnapshot, type HealthReport } from '../../features/data-health/index.ts';
import { createHealthSources } from '../../health-sources.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

/** `keel health [--snapshot]`: the data-health report, the same as GET /api/v1/data-health. */
export function registerHealthCommand(program: Command): void {
  program
    .command('health')
    .option('--snapshot', "also store the report's figures as today's snapshot (the trend)")
    .option('--stale-days <n>', 'records not seen or updated for this many days are stale', '180')
    .option('--window-days <n>', 'tracking-plan violations over this many days', '30')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print the whole report as JSON')
    .description('Data health: completeness and validity per field, duplicates, violations, stale records, consent, worst offenders, trend, score')
    .action(async (opts: { snapshot?: boolean; staleDays: string; windowDays: string; workspace?: string; json?: boolean }) => {
      const options = { staleDays: parseLimit(opts.staleDays, 3650), windowDays: parseLimit(opts.windowDays, 3650), sources: createHealthSources() };
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        if (opts.snapshot) await takeHealthSnapshot(ctx.db.kysely, workspaceId, options);
        const report = await buildHealthReport(ctx.db.kysely, workspaceId, options);
        if (opts.json) return print(report, true);
        printReport(report);
      });
    });
}

const pct = (share: number | null) => (share === null ? '—' : `${(share * 100).toFixed(1)}%`);

function printReport(r: HealthReport): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`Data health score: ${r.score.value} / 100`);
  out(`  ${r.score.components.map((c) => `${c.name} ${pct(c.value)} (×${c.weight})`).join(', ')}`);
  out(`Records: ${r.records.known_contacts} known contacts, ${r.records.accounts} accounts`);
  out('\nFields (completeness, validity):');
  console.table(r.fields.map((f) => ({ field: `${f.entity}.${f.field}`, filled: f.filled, missing: f.missing, invalid: f.invalid, completeness: pct(f.completeness), validity: pct(f.validity) })));
  out(`Duplicates: ${r.duplicates.contacts} contacts, ${r.duplicates.accounts} accounts (${pct(r.duplicates.rate)}); ${r.duplicates.method}`);
  const tp = r.tracking_plan;
  out(`Tracking plan (last ${r.window_days} days): ${tp.checked} events checked, ${tp.violating} with violations (${pct(tp.violation_rate)}), ${tp.blocked} blocked`);
  out(`Stale (not seen or updated in ${r.stale_days} days): ${r.stale.contacts} contacts, ${r.stale.accounts} accounts (${pct(r.stale.rate)})`);
  out(`Consent: ${r.consent.available ? `${r.consent.contacts_without_consent} known contacts without consent` : r.consent.note}`);
  out('\nWorst offenders:');
  for (const f of r.worst_offenders.fields) {
    const example = f.invalid_examples[0] ? `, e.g. ${f.invalid_examples[0].id}: ${JSON.stringify(f.invalid_examples[0].value)}` : '';
    out(`  field ${f.entity}.${f.field}: ${f.missing} missing, ${f.invalid} invalid${example}`);
  }
  for (const rule of r.worst_offenders.rules) out(`  rule ${rule.rule} on ${rule.subject}: ${rule.violations}${rule.example ? `, e.g. ${rule.example.reason}` : ''}`);
  for (const record of r.worst_offenders.records) out(`  contact ${record.id} (${record.email ?? 'no email'}): ${record.blank_fields} blank core fields`);
  out(`\nTrend: ${r.trend.length === 0 ? 'no snapshots yet (keel health --snapshot; the worker takes one a day)' : r.trend.map((t) => `${t.day} ${t.score}`).join(', ')}`);
  out(`\nFormula: ${r.score.formula}`);
}
