// `npm run bench:attribution [-- --paths 1000000 --channels 10 --shapley-channels 12]`
// The whole `keel attribution FILE.csv` process (node start-up, CSV read, model, CSV out) per
// model on generated path files, beside a baseline in the same run: a process that only
// reads the file and counts its rows. Wall time and peak RSS come from /usr/bin/time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writePathCsv } from './attribution-paths.ts';

const { values } = parseArgs({
  options: {
    paths: { type: 'string', default: '1000000' },
    channels: { type: 'string', default: '10' },
    'shapley-channels': { type: 'string', default: '12' },
  },
});
const PATHS = Number(values.paths);
const ROOT = join(import.meta.dirname, '..');
const KEEL = join(ROOT, 'bin', 'keel.js');
const RUN_TS = join(ROOT, 'bin', 'run-ts.js');

interface Row {
  label: string;
  file: string;
  target: number | null;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
}

/** Runs a process under /usr/bin/time; returns wall and CPU (user + system) seconds and peak RSS. */
function measure(args: string[]): { seconds: number; cpuSeconds: number; peakRssMb: number } {
  const result = spawnSync('/usr/bin/time', ['-f', 'KEELBENCH %e %U %S %M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const match = /KEELBENCH ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`${args.join(' ')} failed: ${result.stderr.slice(0, 2000)}`);
  return { seconds: Number(match[1]), cpuSeconds: Number(match[2]) + Number(match[3]), peakRssMb: Number(match[4]) / 1024 };
}

const dir = mkdtempSync(join(tmpdir(), 'keel-attr-bench-'));
const rows: Row[] = [];
try {
  const main = join(dir, `paths-${values.channels}.csv`);
  const wide = join(dir, `paths-${values['shapley-channels']}.csv`);
  process.stderr.write(`generating ${PATHS} distinct paths...\n`);
  await writePathCsv(main, PATHS, Number(values.channels));
  await writePathCsv(wide, PATHS, Number(values['shapley-channels']));
  const out = join(dir, 'credits.csv');
  const runs: Array<[string, string, number | null, string[]]> = [
    ['baseline: read + count rows', main, null, [RUN_TS, join(ROOT, 'bench', 'attribution-count.ts'), main]],
    ...(['first-touch', 'last-touch', 'last-non-direct', 'linear', 'position-based'] as const).map((m): [string, string, number, string[]] => [m, main, 3, [KEEL, 'attribution', main, '--model', m, '--out', out]]),
    ['markov order 1', main, 3.5, [KEEL, 'attribution', main, '--model', 'markov', '--order', '1', '--out', out]],
    ['markov order 3', main, 6, [KEEL, 'attribution', main, '--model', 'markov', '--order', '3', '--out', out]],
    ['markov order 4', main, null, [KEEL, 'attribution', main, '--model', 'markov', '--order', '4', '--out', out]],
    ['baseline (12 channels)', wide, null, [RUN_TS, join(ROOT, 'bench', 'attribution-count.ts'), wide]],
    [`shapley (${values['shapley-channels']} channels)`, wide, 10, [KEEL, 'attribution', wide, '--model', 'shapley', '--out', out]],
  ];
  for (const [label, file, target, args] of runs) {
    process.stderr.write(`${label}...\n`);
    rows.push({ label, file, target, ...measure(args) });
  }
} finally {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

const baseline = (file: string) => rows.find((r) => r.file === file && r.target === null && r.label.startsWith('baseline'))!.seconds;
const f = (n: number, d = 2) => n.toFixed(d);
process.stdout.write(`\n${PATHS.toLocaleString('en-US')} distinct paths; node ${process.version}\n\n`);
process.stdout.write('| run | wall s | CPU s (user+sys) | target s | wall x baseline | peak RSS MB |\n| --- | ---: | ---: | ---: | ---: | ---: |\n');
for (const r of rows) {
  process.stdout.write(`| ${r.label} | ${f(r.seconds)} | ${f(r.cpuSeconds)} | ${r.target === null ? '—' : f(r.target, 1)} | ${f(r.seconds / baseline(r.file))} | ${f(r.peakRssMb, 0)} |\n`);
}
