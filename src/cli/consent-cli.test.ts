import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../platform/db/connection.ts';
import { createChildDatabaseEnv, testDatabaseLabel } from '../platform/db/test-database.ts';
import { runKeel } from '../testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-consent-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);

/** A contact, written while no keel process holds the database. */
async function seedContact(workspaceId: string, email: string): Promise<void> {
  const url = database.env.KEEL_DATABASE_URL;
  const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: database.env.KEEL_DATA_DIR });
  try {
    await sql`insert into contacts (workspace_id, email, first_name) values (${workspaceId}::uuid, ${email}, 'Cli')`.execute(db.kysely);
  } finally {
    await db.close();
  }
}

describe(`keel topics, consent, suppress, policies, outbox, privacy, audit (${testDatabaseLabel})`, () => {
  it('runs the consent and privacy workflow from the shell', async () => {
    const ws = JSON.parse(keel('workspace', 'create', 'Cli Consent', '--json')) as { id: string };
    await seedContact(ws.id, 'cli.person@example.com');
    keel('topics', 'create', 'newsletter', '--name', 'Newsletter', '--regime', 'opt_in');
    keel('policies', 'set', '--sender-email', 'news@acme.example', '--postal-address', '1 Main St', '--quiet-hours', 'none');
    keel('consent', 'record', 'cli.person@example.com', '--topic', 'newsletter', '--status', 'opted_in', '--source', 'form', '--text', 'Yes please');
    const sent = JSON.parse(keel('outbox', 'send', 'cli.person@example.com', '--topic', 'newsletter', '--subject', 'Hello', '--text', 'Body')) as { status: string };
    expect(sent.status).toBe('sent');
    const csv = join(dir, 'suppressions.csv');
    writeFileSync(csv, 'email,reason\nbounced@example.com,hard_bounce\n');
    expect(keel('suppress', 'import', csv)).toMatch(/Imported 1 suppressions from 1 rows/);
    const outbox = JSON.parse(keel('outbox', 'list', '--json')) as Array<{ subject: string; headers: Record<string, string> }>;
    expect(outbox.map((m) => m.subject)).toEqual(['Hello']);
    expect(outbox[0]!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    const out = join(dir, 'export');
    expect(keel('privacy', 'export', 'cli.person@example.com', '--format', 'csv', '--out', out)).toMatch(/Wrote 14 CSV files/);
    expect(readFileSync(join(out, 'consent_history.csv'), 'utf8')).toContain('Yes please');
    expect(existsSync(join(out, 'messages.csv'))).toBe(true);
    expect(JSON.parse(keel('privacy', 'erase', 'cli.person@example.com', '--json'))).toMatchObject({ status: 'done' });
    const audit = JSON.parse(keel('audit', '--action', 'privacy.erased', '--json')) as Array<{ actor_kind: string }>;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_kind).toBe('cli');
    const bad = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'topics', 'create', 'Bad Key', '--name', 'x', '--regime', 'opt_in'], {
      env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 60_000,
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/key must be 1 to 63 lower-case letters.*"Bad Key"/);
  }, 300_000);
});
