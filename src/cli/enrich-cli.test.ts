import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChildDatabaseEnv, testDatabaseLabel } from '../platform/db/test-database.ts';
import { runKeel } from '../testing/keel-process.ts';

let dir: string;
let database: Awaited<ReturnType<typeof createChildDatabaseEnv>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'keel-enrich-cli-'));
  database = await createChildDatabaseEnv(join(dir, 'data'));
});
afterAll(async () => {
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const keel = (...args: string[]) => runKeel(args, database.env);

describe(`keel normalize and keel enrich (${testDatabaseLabel})`, () => {
  it('normalizes single values without a database', { timeout: 120_000 }, () => {
    expect(JSON.parse(keel('normalize', 'value', 'phone', '030 1234567', '--country', 'Deutschland'))).toEqual({ ok: true, e164: '+49301234567', country: 'DE' });
    expect(() => keel('normalize', 'value', 'shoe-size', '42')).toThrow(/kind must be one of/);
  });

  it('changes settings, previews a contact and re-enriches', { timeout: 180_000 }, () => {
    keel('workspace', 'create', 'CLI');
    const settings = JSON.parse(keel('enrich', 'settings', '--create-accounts', 'on', '--free-mail-domains', 'someisp.example')) as Record<string, unknown>;
    expect(settings).toEqual({ createAccountsFromEmailDomain: true, extraFreeMailDomains: ['someisp.example'] });
    const preview = JSON.parse(keel('normalize', 'contact', '--set', 'email=ada@someisp.example', '--traits', '{"title":"Head of Sales"}')) as { enrichment: { traits: Record<string, string> } };
    expect(preview.enrichment.traits).toMatchObject({ enriched_seniority: 'Director', enriched_department: 'Sales', enriched_email_type: 'personal' });

    const outcome = JSON.parse(keel('enrich', 'contacts', '--json')) as Record<string, number>;
    expect(outcome).toEqual({ records: 0, enriched: 0, accountsLinked: 0, accountsCreated: 0 });
  });
});
