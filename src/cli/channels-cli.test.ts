import { generateKeyPairSync } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../platform/db/connection.ts';
import { createChildDatabaseEnv, testDatabaseLabel } from '../platform/db/test-database.ts';
import { runKeel } from '../testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;
let receiver: ChildProcess;
let receiverPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-channels-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
  // A webhook receiver in its own process (runKeel blocks this one): it refuses every post with 400.
  receiver = spawn(process.execPath, ['-e', "require('http').createServer((q,s)=>{q.resume();q.on('end',()=>{s.writeHead(400);s.end('unknown event')})}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})"]);
  receiverPort = await new Promise<number>((resolve) => receiver.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
});
afterAll(async () => {
  receiver.kill();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);

async function seedContact(workspaceId: string, email: string): Promise<void> {
  const url = database.env.KEEL_DATABASE_URL;
  const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: database.env.KEEL_DATA_DIR });
  try {
    await sql`insert into contacts (workspace_id, email, first_name) values (${workspaceId}::uuid, ${email}, 'Cli')`.execute(db.kysely);
  } finally {
    await db.close();
  }
}

describe(`keel policies (channels), outbox send --channel webhook, dead-letters (${testDatabaseLabel})`, () => {
  it('sets channel settings, dead-letters a refused webhook and lists and retries it', async () => {
    const ws = JSON.parse(keel('workspace', 'create', 'Cli Channels', '--json')) as { id: string };
    await seedContact(ws.id, 'cli.hook@example.com');
    keel('topics', 'create', 'alerts', '--name', 'Alerts', '--regime', 'opt_out', '--channels', 'webhook');
    const pem = join(dir, 'dkim.pem');
    writeFileSync(pem, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const shown = JSON.parse(keel('policies', 'set', '--webhook-allowed-hosts', '127.0.0.1,*.example.com', '--webhook-secret', 'cli-secret-0123456789abcdefgh', '--email-max-per-week', '3', '--sms-max-per-day', '1', '--cap-reserve-priority', '60', '--dkim', `acme.example,cli,${pem}`, '--json')) as Record<string, unknown>;
    expect(shown).toMatchObject({ webhook_allowed_hosts: ['127.0.0.1', '*.example.com'], webhook_secret_set: true, email_max_per_week: 3, sms_max_per_day: 1, cap_reserve_priority: 60, dkim_domain: 'acme.example', dkim_private_key_set: true });
    expect(JSON.stringify(shown)).not.toContain('cli-secret');
    const badKey = join(dir, 'bad.pem');
    writeFileSync(badKey, 'not a key');
    const refused = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'policies', 'set', '--dkim', `acme.example,cli,${badKey}`], { env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 60_000 });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('dkim.privateKey must be a PEM private key');

    const send = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'outbox', 'send', 'cli.hook@example.com', '--topic', 'alerts', '--kind', 'transactional', '--channel', 'webhook', '--url', `http://127.0.0.1:${receiverPort}/hook`, '--payload', '{"event":"mql"}'], { env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 60_000 });
    expect(send.status).toBe(2);
    const outcome = JSON.parse(send.stdout) as { status: string; reason: string; messageId: string };
    expect(outcome).toMatchObject({ status: 'blocked', reason: 'rejected' });
    const dead = JSON.parse(keel('dead-letters', 'list', '--channel', 'webhook', '--json')) as Array<{ id: string; last_error: string; to_address: string }>;
    expect(dead.map((m) => m.id)).toEqual([outcome.messageId]);
    expect(dead[0]!.last_error).toContain('answered 400: unknown event');
    expect((JSON.parse(keel('outbox', 'list', '--channel', 'webhook', '--status', 'dead', '--json')) as unknown[]).length).toBe(1);
    const retry = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'keel.js'), 'dead-letters', 'retry', outcome.messageId], { env: { ...process.env, ...database.env }, encoding: 'utf8', timeout: 60_000 });
    expect(retry.status).toBe(2);
    expect(JSON.parse(retry.stdout)).toMatchObject({ status: 'blocked', reason: 'rejected', messageId: outcome.messageId });
    expect(JSON.parse(keel('bounces', 'record', 'cli.hook@example.com', '--type', 'hard', '--diagnostic', '550 user unknown', '--json'))).toMatchObject({ kind: 'hard', suppressed: true, events: 1 });
    expect(keel('suppress', 'list', '--json')).toContain('hard_bounce');
  }, 240_000);
});
