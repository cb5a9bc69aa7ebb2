import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { findContactId } from '../../features/audiences/index.ts';
import { cliActor } from '../../features/audit/index.ts';
import { applyTemplates, checkTemplate, getTemplate, listTemplates, previewEmail, type AppliedTemplate } from '../../features/templates/index.ts';
import { parseLimit, print, resolveWorkspace, withContext } from '../cli-context.ts';

type Opts = { workspace?: string; json?: boolean; version?: string };

const versionOf = (opts: Opts) => (opts.version === undefined ? undefined : parseLimit(opts.version, 1_000_000));

/** FILE, or every .yaml/.yml file of DIR in name order. */
function templateFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const files = readdirSync(path).filter((f) => /\.ya?ml$/i.test(f)).sort().map((f) => join(path, f));
  if (files.length === 0) throw new Error(`${path} has no .yaml or .yml files`);
  return files;
}

/** `keel templates apply|list|show|preview|check`: the same services as /api/v1/templates. */
export function registerTemplateCommands(program: Command): void {
  const templates = program.command('templates').description('Email templates: MJML or HTML with Liquid, versioned (schemas/email-template.schema.json)');
  templates
    .command('apply')
    .argument('<path>', 'a template YAML file, or a folder of them')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('Create or update templates; changed content becomes a new version. All files or none.')
    .action(async (path: string, opts: Opts) => {
      const files = templateFiles(path).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const applied: Array<AppliedTemplate & { file: string }> = await ctx.db.kysely.transaction().execute(async (trx) => {
          const out = [];
          for (const { file, text } of files) for (const a of await applyTemplates(trx, workspaceId, text, cliActor(), file)) out.push({ ...a, file });
          return out;
        });
        print(applied, opts.json === true);
      });
    });
  templates
    .command('list')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .action(async (opts: Opts) => {
      await withContext(async (ctx) => {
        const rows = await listTemplates(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace));
        print(opts.json ? rows : rows.map((r) => ({ key: r.key, version: r.current_version, name: r.name, subject: r.subject, format: r.body_format, topic: r.default_topic })), opts.json === true);
      });
    });
  templates
    .command('show')
    .argument('<key>')
    .option('--version <n>', 'a past version')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON (with the compiled HTML)')
    .action(async (key: string, opts: Opts) => {
      await withContext(async (ctx) => {
        const t = await getTemplate(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), key, versionOf(opts));
        if (opts.json) return print(t, true);
        const v = t.version;
        process.stdout.write(`# ${t.key} version ${v.version} of ${t.current_version} (${v.body_format}), saved ${v.created_at.toISOString()} by ${v.created_by}\n`);
        process.stdout.write(`name: ${v.name}\nsubject: ${v.subject}\n${v.preheader ? `preheader: ${v.preheader}\n` : ''}${v.default_topic ? `topic: ${v.default_topic}\n` : ''}\n${v.body}\n`);
        if (v.text_body) process.stdout.write(`\n--- text ---\n${v.text_body}\n`);
      });
    });
  registerRenderCommands(templates);
}

function registerRenderCommands(templates: Command): void {
  templates
    .command('preview')
    .argument('<key>')
    .requiredOption('--email <address>', 'the contact to render for')
    .option('--version <n>', 'a past version')
    .option('--out <file>', 'write the HTML to FILE')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON (with the HTML)')
    .description('Render for one contact (no tracking, nothing sent): subject, preheader, text; HTML with --out')
    .action(async (key: string, opts: Opts & { email: string; out?: string }) => {
      await withContext(async (ctx) => {
        const workspaceId = await resolveWorkspace(ctx, opts.workspace);
        const email = await previewEmail(ctx.db.kysely, workspaceId, key, await findContactId(ctx.db.kysely, workspaceId, opts.email), versionOf(opts));
        if (opts.out) writeFileSync(opts.out, email.html);
        if (opts.json) return print(email, true);
        process.stdout.write(`subject: ${email.subject}\n${email.preheader ? `preheader: ${email.preheader}\n` : ''}version: ${email.templateVersion}\n${opts.out ? `html: written to ${opts.out}\n` : ''}\n${email.text}\n`);
      });
    });
  templates
    .command('check')
    .argument('<key>')
    .option('--version <n>', 'a past version')
    .option('--sample <n>', 'how many contacts to render for', '50')
    .option('--workspace <id>', 'workspace id')
    .option('--json', 'print JSON')
    .description('QA report: missing merge fields over a sample, links, image alt text, unsubscribe footer, spam words. Exit code 1 when not ok.')
    .action(async (key: string, opts: Opts & { sample: string }) => {
      await withContext(async (ctx) => {
        const report = await checkTemplate(ctx.db.kysely, await resolveWorkspace(ctx, opts.workspace), key, { version: versionOf(opts), sample: parseLimit(opts.sample, 1000) });
        if (!report.ok) process.exitCode = 1;
        if (opts.json) return print(report, true);
        const lines = [`${report.key} v${report.version}: ${report.ok ? 'ok' : 'needs fixing'}`];
        const m = report.missingFields;
        lines.push(`missing fields: ${m.fields.length === 0 ? 'none' : m.fields.length} (${m.contactsFailing} of ${m.contactsChecked} contacts failing)`);
        for (const f of m.fields) lines.push(`  ${f.field} in ${f.part}${f.line ? ` line ${f.line}` : ''}: ${f.contacts} contacts${f.examples.length ? ` (e.g. ${f.examples.join(', ')})` : ''}`);
        lines.push(`links: ${report.links.count} (${report.links.http.length} http, ${report.links.empty} empty)`);
        lines.push(`images: ${report.images.count}${report.images.withoutAlt.length ? `, without alt text: ${report.images.withoutAlt.join(', ')}` : ''}`);
        lines.push(`unsubscribe footer: ${report.unsubscribe.ok ? 'ok' : report.unsubscribe.issues.join('; ')}`);
        lines.push(`spam words: ${report.spamWords.length ? report.spamWords.map((w) => `"${w.word}" (${w.part})`).join(', ') : 'none'}`);
        if (report.subject.issues.length) lines.push(`subject: ${report.subject.issues.join('; ')}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}
