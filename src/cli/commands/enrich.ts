import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../features/audit/index.ts';
import {
  enrichAllAccounts, enrichAllContacts, getEnrichmentSettings, listProviders, removeProvider, runProviderEnrichment, saveProvider, updateEnrichmentSettings,
} from '../../features/enrichment/index.ts';
import { print, resolveWorkspace, withContext } from '../cli-context.ts';

function parseOnOff(value: string, option: string): boolean {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new Error(`${option} must be on or off, got "${value}"`);
}

function readJsonFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
}

/** `keel enrich`: re-enrichment runs, settings and external providers. */
export function registerEnrichCommands(program: Command): void {
  const enrich = program.command('enrich').description('Enrich contacts and accounts (seniority, department, e-mail type, account by domain, time zone; external providers)');
  for (const target of ['contacts', 'accounts'] as const) {
    enrich
      .command(target)
      .option('--provider <name>', 'run this external provider instead of the built-in rules')
      .option('--workspace <id>', 'workspace id')
      .option('--json', 'print JSON')
      .description(`Re-enrich every ${target.slice(0, -1)} of the workspace`)
      .action(async (opts: { provider?: string; workspace?: string; json?: boolean }) => {
        await withContext(async (ctx) => {
          const workspaceId = await resolveWorkspace(ctx, opts.workspace);
          if (opts.provider) {
            print(await runProviderEnrichment(ctx.db.kysely, workspaceId, opts.provider, target), opts.json === true);
            return;
          }
          const outcome = target === 'contacts'
            ? await enrichAllContacts(ctx.db.kysely, workspaceId, { onBatch: (o) => process.stderr.write(`enriched ${o.records} ${target}\n`) })
            : await enrichAllAccounts(ctx.db.kysely, workspaceId);
          print(outcome, opts.json === true);
        });
      });
  }
  enrich
    .command('settings')
    .option('--create-accounts <on|off>', 'create an account for a business e-mail domain no account has')
    .option('--free-mail-domains <list>', 'extra free-mail domains, comma-separated (replaces the list; "" clears it)')
    .option('--workspace <id>', 'workspace id')
    .description('Show or change enrichment settings (changes are audited)')
    .action(async (opts: { createAccounts?: string; freeMailDomains?: string; workspace?: string }) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        if (opts.createAccounts === undefined && opts.freeMailDomains === undefined) {
          print(await getEnrichmentSettings(ctx.db.kysely, workspaceId), true);
          return;
        }
        const patch = {
          ...(opts.createAccounts !== undefined ? { createAccountsFromEmailDomain: parseOnOff(opts.createAccounts, '--create-accounts') } : {}),
          ...(opts.freeMailDomains !== undefined ? { extraFreeMailDomains: opts.freeMailDomains.split(',').map((d) => d.trim()).filter(Boolean) } : {}),
        };
        print(await updateEnrichmentSettings(ctx.db.kysely, workspaceId, patch, cliActor()), true);
      });
    });
  registerProviderCommands(enrich);
}

function registerProviderCommands(enrich: Command): void {
  const providers = enrich.command('providers').description('External enrichment providers (generic HTTP)');
  providers
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .action(async (opts: { workspace?: string }) => {
      await withContext(async (ctx) => print(await listProviders(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace)), true));
    });
  providers
    .command('set')
    .argument('<name>', 'provider name')
    .requiredOption('--file <config.json>', 'the provider configuration (url_template, headers, mapping, rate_limit, ttl_seconds, ...)')
    .option('--disabled', 'store it disabled')
    .option('--workspace <id>', 'workspace id')
    .description('Create or replace a provider (audited; header values are masked when shown)')
    .action(async (name: string, opts: { file: string; disabled?: boolean; workspace?: string }) => {
      const config = readJsonFile(opts.file);
      await withContext(async (ctx) => {
        print(await saveProvider(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name, { config, enabled: opts.disabled !== true }, cliActor()), true);
      });
    });
  providers
    .command('remove')
    .argument('<name>', 'provider name')
    .option('--workspace <id>', 'workspace id')
    .action(async (name: string, opts: { workspace?: string }) => {
      await withContext(async (ctx) => {
        await removeProvider(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), name, cliActor());
        process.stdout.write(`removed provider ${name}\n`);
      });
    });
}
