import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  dir = mkdtempSync(join(tmpdir(), 'keel-templates-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);
const keelFails = (...args: string[]) => spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), ...args], { env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 120_000 });

/** A contact, written while no keel process holds the database. */
async function seedContact(workspaceId: string, email: string, firstName: string | null): Promise<void> {
  const url = database.env.KEEL_DATABASE_URL;
  const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: database.env.KEEL_DATA_DIR });
  try {
    await sql`insert into contacts (workspace_id, email, first_name) values (${workspaceId}::uuid, ${email}, ${firstName})`.execute(db.kysely);
  } finally {
    await db.close();
  }
}

const template = (key: string, subject: string, body: string) => `kind: template\nkey: ${key}\nname: ${key}\nsubject: "${subject}"\nformat: html\nbody: |\n  ${body}\n`;

describe(`keel templates (${testDatabaseLabel})`, () => {
  it('applies a folder, lists, shows versions, previews for a contact and checks', async () => {
    const ws = JSON.parse(keel('workspace', 'create', 'Cli Templates', '--json')) as { id: string };
    await seedContact(ws.id, 'ada@acme.example', 'Ada');
    await seedContact(ws.id, 'anon@acme.example', null);
    const folder = join(dir, 'templates');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a-welcome.yaml'), template('welcome', 'Hi {{ contact.first_name }}', '<html><body><p>Welcome {{ contact.first_name }}</p><img src="https://cdn.example/x.png"></body></html>'));
    writeFileSync(join(folder, 'b-news.yml'), template('news', 'News', '<p>News for {{ contact.first_name | default: "you" }}</p>'));
    writeFileSync(join(folder, 'notes.txt'), 'not a template');
    const applied = JSON.parse(keel('templates', 'apply', folder, '--json')) as Array<{ key: string; version: number; file: string }>;
    expect(applied.map((a) => [a.key, a.version])).toEqual([['welcome', 1], ['news', 1]]);
    writeFileSync(join(dir, 'welcome2.yaml'), template('welcome', 'Hello {{ contact.first_name }}', '<html><body><p>Hello again {{ contact.first_name }}</p></body></html>'));
    expect(JSON.parse(keel('templates', 'apply', join(dir, 'welcome2.yaml'), '--json'))).toEqual([expect.objectContaining({ key: 'welcome', version: 2, changed: true })]);

    const list = JSON.parse(keel('templates', 'list', '--json')) as Array<{ key: string; current_version: number }>;
    expect(list.map((t) => [t.key, t.current_version])).toEqual([['news', 1], ['welcome', 2]]);
    expect(keel('templates', 'show', 'welcome', '--version', '1')).toContain('# welcome version 1 of 2 (html)');

    const out = join(dir, 'preview.html');
    const preview = keel('templates', 'preview', 'welcome', '--email', 'ada@acme.example', '--out', out);
    expect(preview).toContain('subject: Hello Ada');
    expect(preview).toContain('Hello again Ada');
    expect(readFileSync(out, 'utf8')).toContain('<p>Hello again Ada</p>');
    const refused = keelFails('templates', 'preview', 'welcome', '--email', 'anon@acme.example');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('no data and no default for contact.first_name (subject line 1), contact.first_name (body line 1)');

    const check = keelFails('templates', 'check', 'welcome', '--version', '1');
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('welcome v1: needs fixing');
    expect(check.stdout).toContain('contact.first_name in subject line 1: 1 contacts (e.g. anon@acme.example)');
    expect(check.stdout).toContain('without alt text: https://cdn.example/x.png');
    expect(keel('templates', 'check', 'news')).toContain('news v1: ok');

    writeFileSync(join(dir, 'bad.yaml'), 'kind: template\nkey: bad\nname: Bad\nsubject: x\nbody: "<p>{% if x %}</p>"\n');
    const bad = keelFails('templates', 'apply', join(dir, 'bad.yaml'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/template bad: body: Liquid syntax error at line 1, column 4: tag \{% if x %\} not closed \(invalid\)/);
  }, 300_000);
});
