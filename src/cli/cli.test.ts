import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildDatabaseEnv, testDatabaseLabel } from '../platform/db/test-database.ts';
import { runKeel } from '../testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);

/** A plain TCP server on a free port, to make that port busy. */
async function listenAnywhere(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

// Every test starts several `keel` processes (each opens the database and loads every command):
// seconds apiece, so they get more than the default 30 s.
describe(`keel CLI (${testDatabaseLabel})`, { timeout: 120_000 }, () => {
  it('migrates, creates a workspace and manages its keys', () => {
    expect(keel('migrate')).toMatch(/Applied 0001_create_core_tables|up to date/);
    expect(keel('migrate')).toMatch(/up to date/);
    const ws = JSON.parse(keel('workspace', 'create', 'Acme Marketing', '--json')) as { id: string; writeKey: string; adminKey: string };
    expect(ws.writeKey).toMatch(/^kw_[0-9A-Za-z]{12}_[0-9A-Za-z]{32}$/);
    expect(ws.adminKey).toMatch(/^ka_/);
    const viewer = JSON.parse(keel('keys', 'create', '--kind', 'admin', '--role', 'viewer', '--name', 'analyst', '--json')) as { id: string; role: string };
    expect(viewer.role).toBe('viewer');
    const keys = JSON.parse(keel('keys', 'list', '--json')) as Array<{ id: string; revoked_at: string | null }>;
    expect(keys).toHaveLength(3);
    expect(JSON.stringify(keys)).not.toContain(ws.adminKey);
    expect(keel('keys', 'revoke', viewer.id)).toMatch(/Revoked/);
    const after = JSON.parse(keel('keys', 'list', '--json')) as Array<{ id: string; revoked_at: string | null }>;
    expect(after.find((k) => k.id === viewer.id)?.revoked_at).not.toBeNull();
  });

  it('fills the demo workspace and shows it through stats, contacts and events', () => {
    keel('demo', '--scale', '0.005', '--seed', '3');
    const workspaces = JSON.parse(keel('workspace', 'list', '--json')) as Array<{ id: string; name: string }>;
    const demo = workspaces.find((w) => w.name === 'Demo')!;
    const stats = JSON.parse(keel('stats', '--workspace', demo.id, '--json')) as { events: number; accounts: number; pending_events: number };
    expect(stats.accounts).toBe(10);
    expect(stats.events).toBeGreaterThan(500);
    expect(stats.pending_events).toBe(0);
    const contacts = JSON.parse(keel('contacts', 'list', '--workspace', demo.id, '--limit', '5', '--json')) as Array<{ id: string }>;
    expect(contacts).toHaveLength(5);
    const shown = JSON.parse(keel('contacts', 'show', contacts[0]!.id, '--workspace', demo.id)) as { id: string; identities: unknown[] };
    expect(shown.id).toBe(contacts[0]!.id);
    const events = JSON.parse(keel('events', '--workspace', demo.id, '--type', 'page', '--limit', '3', '--json')) as Array<{ type: string }>;
    expect(events.map((e) => e.type)).toEqual(['page', 'page', 'page']);
  });

  it('shows the demo tracking plan and its violations, applies a new version, and reports data health', () => {
    const demo = (JSON.parse(keel('workspace', 'list', '--json')) as Array<{ id: string; name: string }>).find((w) => w.name === 'Demo')!;
    expect(keel('tracking-plan', 'show', '--workspace', demo.id)).toMatch(/# version 1, applied .* by system:demo\n[\s\S]*name: Northstack marketing/);
    const flagged = JSON.parse(keel('tracking-plan', 'violations', '--rule', 'enum', '--workspace', demo.id, '--json')) as Array<{ field: string; action: string }>;
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((v) => v.field === 'properties.team_size' && v.action === 'flag')).toBe(true);
    const file = join(dir, 'plan.yaml');
    writeFileSync(file, 'events:\n  - name: Demo Requested\n');
    expect(JSON.parse(keel('tracking-plan', 'apply', file, '--workspace', demo.id, '--json'))).toMatchObject({ version: 2, changed: true, events: 1 });
    writeFileSync(file, 'events:\n  - name: Demo Requested\n    properties:\n      size: { type: huge }\n');
    const bad = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'tracking-plan', 'apply', file, '--workspace', demo.id], { env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 60_000 });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain(`${file} is not a valid tracking plan: events.0.properties.size.type (line 4)`);
    const health = keel('health', '--snapshot', '--workspace', demo.id);
    expect(health).toMatch(/Data health score: [\d.]+ \/ 100[\s\S]*contacts\.email[\s\S]*Tracking plan \(last 30 days\): \d+ events checked[\s\S]*Trend: \d{4}-\d{2}-\d{2} [\d.]+\n[\s\S]*Formula: score = 100/);
  });

  it('fails with a clear message and a non-zero exit on bad input', async () => {
    const blocker = await listenAnywhere();
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), ...args], { env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 60_000 });
    const several = run('stats');
    expect(several.status).toBe(1);
    expect(several.stderr).toMatch(/Several workspaces exist: pass --workspace/);
    const badLimit = run('events', '--limit', 'lots', '--workspace', '00000000-0000-4000-8000-000000000000');
    expect(badLimit.status).toBe(1);
    expect(badLimit.stderr).toMatch(/--limit must be an integer|Workspace .* not found/);
    const badKind = run('keys', 'create', '--kind', 'root');
    expect(badKind.status).not.toBe(0);
    expect(badKind.stderr).toMatch(/--kind/);
    const portTaken = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'start', '--no-demo'], {
      env: { ...process.env, ...database.env, PORT: String(blocker.port), HOST: '127.0.0.1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(portTaken.status).toBe(1);
    expect(portTaken.stderr).toMatch(new RegExp(`Port ${blocker.port} on 127.0.0.1 is already in use`));
    const badScale = run('demo', '--scale', '-1');
    expect(badScale.status).toBe(1);
    expect(badScale.stderr).toMatch(/--scale must be a positive number/);
    blocker.server.close();
  });
});
