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
  it('prints the campaign report of a journey (summary, CSV, JSON) and the list', () => {
    const ws = (JSON.parse(keel('workspace', 'create', 'Cli Campaigns', '--json')) as { id: string }).id;
    expect(keel('reports', 'campaigns', '--workspace', ws)).toBe('No journeys.\n');
    keel('topics', 'create', 'news', '--name', 'News', '--regime', 'opt_out', '--workspace', ws);
    const file = join(dir, 'promo.yaml');
    writeFileSync(file, 'key: promo\nname: Promo\ntopic: news\ntrigger: { manual: true }\nholdout: 10\nsteps:\n  - id: done\n    exit: true\n');
    keel('journeys', 'apply', file, '--workspace', ws);
    const csv = keel('reports', 'campaign', 'promo', '--csv', '--workspace', ws).trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[0]).toMatch(/^row,step_id,channel,variant,sent,delivered,bounced,bounced_hard,bounced_soft,opened_unique,/);
    expect(csv[1]).toMatch(/^total,,,,0,0,0,0,0,0,0,/);
    expect(keel('reports', 'campaign', 'promo', '--workspace', ws)).toMatch(/^promo \(Promo, draft\) .*\n {2}sent 0, delivered 0, bounced 0 \(hard 0, soft 0\)/);
    expect((JSON.parse(keel('reports', 'campaign', 'promo', '--json', '--workspace', ws)) as { journey: { key: string }; holdout: unknown }).journey.key).toBe('promo');
    expect(keel('reports', 'campaigns', '--csv', '--workspace', ws).split('\n')[1]).toMatch(/^promo,Promo,draft,0,/);
    const missing = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'reports', 'campaign', 'nope', '--workspace', ws], { env: { ...process.env, ...database.env }, encoding: 'utf8' });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/Journey "nope" not found/);
  }, 240_000);
});
