import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildDatabaseEnv, testDatabaseLabel } from '../platform/db/test-database.ts';
import { runKeel } from '../testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-reports-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);

describe(`keel costs, keel reports, keel attribution --by month (${testDatabaseLabel})`, () => {
  it('imports costs, refuses a bad file naming row and column, and prints the reports as CSV', () => {
    const ws = (JSON.parse(keel('workspace', 'create', 'Cli Reports', '--json')) as { id: string }).id;
    const good = join(dir, 'costs.csv');
    writeFileSync(good, 'period,channel,campaign,cost,currency\n2026-Q1,paid_search,brand-search,900,EUR\n2026-01,email,,120,EUR\n');
    expect(keel('costs', 'import', good, '--workspace', ws)).toBe('rows: 2\ninserted: 2\nupdated: 0\n');
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'date,channel,cost,currency\n2026-01-05,radio,10,EUR\n');
    const refused = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'costs', 'import', bad, '--workspace', ws], { env: { ...process.env, ...database.env }, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/row 1 \(line 2\), column channel: "radio" is not a channel/);
    expect(keel('costs', 'list', '--from', '2026-01-01', '--to', '2026-02-01', '--workspace', ws).split('\n').slice(0, 3)).toEqual([
      'period_start,period_end,channel,campaign,cost,currency,source',
      '2026-01-01,2026-02-01,email,,120,EUR,csv:costs.csv',
      '2026-01-01,2026-04-01,paid_search,brand-search,900,EUR,csv:costs.csv',
    ]);
    // A workspace without stage history: the default stages, nobody in them.
    const funnel = keel('reports', 'funnel', '--workspace', ws).trim().split('\n');
    expect(funnel[0]).toBe('stage,reached,entered,skipped,next_stage,converted_to_next,conversion_rate,moved_on,median_days,p75_days,p90_days');
    expect(funnel[1]).toBe('subscriber,0,0,0,lead,0,,0,,,');
    expect(keel('reports', 'cohorts', '--workspace', ws).trim()).toBe('month,entry_stage,size,stage,reached,share,median_days,p75_days,p90_days');
    // 900 for Q1's 90 days: 310 in January's 31.
    const roi = keel('reports', 'roi', '--workspace', ws, '--model', 'markov', '--from', '2026-01-01', '--to', '2026-02-01').trim().split('\n');
    expect(roi).toContain('channel,paid_search,0,0,0,0,0,310,-1,,');
    expect(roi).toContain('campaign,brand-search,0,0,0,0,0,310,-1,,');
    expect(roi[roi.length - 1]).toBe('total,(total),0,0,0,0,0,430,-1,,');
    const byMonth = keel('attribution', '--workspace', ws, '--model', 'linear', '--from', '2026-01-01', '--to', '2026-04-01', '--by', 'campaign,month');
    expect(byMonth.trim()).toBe('period,campaign,conversions,value,opportunities,pipeline,won,revenue');
  }, 240_000);
});
