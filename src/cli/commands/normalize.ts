import type { Command } from 'commander';
import { previewRecord } from '../../features/enrichment/index.ts';
import {
  checkCountry, checkEmail, checkPhone, checkWebsiteDomain, classifyEmailDomain, cleanCompanyName, cleanJobTitle, cleanPersonName, companyMatchKey,
  listFieldIssues, summarizeFieldValidity,
} from '../../features/normalization/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

const KINDS = ['email', 'phone', 'country', 'name', 'title', 'company', 'website'] as const;
type ValueKind = (typeof KINDS)[number];

/** `--set key=value` (repeatable) and `--traits JSON` into one traits object. */
function collectTraits(sets: string[], json: string | undefined): Record<string, unknown> {
  let traits: Record<string, unknown> = {};
  if (json) {
    try {
      traits = JSON.parse(json) as Record<string, unknown>;
    } catch (error) {
      throw new Error(`--traits is not JSON: ${(error as Error).message}`);
    }
    if (typeof traits !== 'object' || traits === null || Array.isArray(traits)) throw new Error('--traits must be a JSON object');
  }
  for (const item of sets) {
    const at = item.indexOf('=');
    if (at <= 0) throw new Error(`--set "${item}" must be key=value`);
    traits[item.slice(0, at)] = item.slice(at + 1);
  }
  return traits;
}

/** One value through one normalizer, without a database. */
export function normalizeValue(kind: ValueKind, value: string, country: string | undefined): Record<string, unknown> {
  switch (kind) {
    case 'email': {
      const check = checkEmail(value);
      return check.ok ? { ...check, kind: classifyEmailDomain(check.email.domain) } : check;
    }
    case 'phone':
      return checkPhone(value, country ? (checkCountry(country).ok ? (checkCountry(country) as { code: string }).code : undefined) : undefined);
    case 'country':
      return checkCountry(value);
    case 'name':
      return { ok: true, ...cleanPersonName(value, 'full') };
    case 'title':
      return { ok: true, value: cleanJobTitle(value) };
    case 'company':
      return { ok: true, value: cleanCompanyName(value), match_key: companyMatchKey(value) };
    case 'website':
      return checkWebsiteDomain(value);
  }
}

/** `keel normalize`: previews of normalization and enrichment, and the issues found on the way in. */
export function registerNormalizeCommands(program: Command): void {
  const normalize = program.command('normalize').description('Preview normalization and enrichment; list field validation issues');
  normalize
    .command('value')
    .argument('<kind>', KINDS.join('|'))
    .argument('<value>', 'the value as it would arrive')
    .option('--country <country>', 'the country national phone numbers are read in')
    .description('Normalize one value (no database): keel normalize value phone "030 1234567" --country DE')
    .action((kind: string, value: string, opts: { country?: string }) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new Error(`kind must be one of ${KINDS.join(', ')}, got "${kind}"`);
      print(normalizeValue(kind as ValueKind, value, opts.country), true);
    });
  for (const kind of ['contact', 'account'] as const) {
    normalize
      .command(kind)
      .option('--set <key=value>', 'a trait (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
      .option('--traits <json>', 'traits as a JSON object')
      .option('--workspace <id>', 'workspace id')
      .description(`How a ${kind} would be normalized, validated and enriched (nothing is written)`)
      .action(async (opts: { set: string[]; traits?: string; workspace?: string }) => {
        const traits = collectTraits(opts.set, opts.traits);
        await withContext(async (ctx) => print(await previewRecord(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), kind, traits), true));
      });
  }
  normalize
    .command('issues')
    .option('--summary', 'counts per field and reason instead of the list')
    .option('--object-type <type>', 'contact|account')
    .option('--field <field>', 'one field')
    .option('--limit <n>', 'how many (newest first)', '20')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Values that failed validation on the way in (kept as traits)')
    .action(async (opts: { summary?: boolean; objectType?: string; field?: string; limit: string; workspace?: string; json?: boolean }) => {
      if (opts.objectType && opts.objectType !== 'contact' && opts.objectType !== 'account') throw new Error(`--object-type must be contact or account, got "${opts.objectType}"`);
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        if (opts.summary) {
          const rows = await summarizeFieldValidity(ctx.db.kysely, workspaceId);
          print(opts.json ? rows : rows.map((r) => ({ object: r.objectType, field: r.field, invalid: r.invalid, top_reason: r.reasons[0]?.reason })), opts.json === true);
          return;
        }
        const limit = parseLimit(opts.limit);
        const rows = (await listFieldIssues(ctx.db.kysely, workspaceId, { objectType: opts.objectType as 'contact' | 'account' | undefined, field: opts.field, limit })).slice(0, limit);
        print(opts.json ? rows : rows.map((r) => ({ object: `${r.object_type} ${r.object_id}`, field: r.field, value: r.value, reason: r.reason })), opts.json === true);
      });
    });
}
