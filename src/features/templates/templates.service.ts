import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { inTransaction } from '../../platform/db/in-transaction.ts';
import { AppError } from '../../platform/errors.ts';
import { recordAudit, type AuditActor } from '../audit/index.ts';
import { getTopicByKey } from '../consent/index.ts';
import { compileTemplateContent, detectBodyFormat, loadCompiledTemplate, LruCache, type CompiledTemplate, type TemplateContent } from './template-compiler.ts';
import { parseTemplateDocuments, type TemplateDocument } from './template-document.ts';
import * as q from './templates.queries.ts';
import { WorkspaceCache } from '../../platform/workspace-cache.ts';

export type TemplateVersion = q.TemplateVersionRow;

export interface AppliedTemplate {
  key: string;
  version: number;
  /** false when the content equals the current version (no new version). */
  changed: boolean;
  created: boolean;
}

/**
 * Creates or updates templates from YAML text (one or more documents) or a parsed object.
 * A template whose content changed gets a new version; identical content changes nothing.
 * Every document is validated and compiled before anything is saved.
 */
export async function applyTemplates(db: Kysely<Database>, workspaceId: string, input: string | unknown, actor: AuditActor, file?: string): Promise<AppliedTemplate[]> {
  const docs = parseTemplateDocuments(input, file);
  const keys = new Set<string>();
  for (const doc of docs) {
    if (keys.has(doc.key)) throw new AppError('invalid', `${file ?? 'template YAML'}: template key ${JSON.stringify(doc.key)} appears twice`, { field: 'key', value: doc.key });
    keys.add(doc.key);
  }
  const prepared: Array<{ doc: TemplateDocument; content: TemplateContent; compiled: string }> = [];
  for (const doc of docs) {
    if (doc.topic) await getTopicByKey(db, workspaceId, doc.topic);
    const content = contentOf(doc);
    const compiled = await compileTemplateContent(content).catch((error: unknown) => {
      if (error instanceof AppError) throw new AppError(error.code, `template ${doc.key}: ${error.message}`, { key: doc.key, ...error.details });
      throw error;
    });
    prepared.push({ doc, content, compiled });
  }
  const source = typeof input === 'string' && docs.length === 1 ? input : null;
  TEMPLATE_POINTERS.invalidate(workspaceId);
  const applied = await inTransaction(db, async (trx) => {
    const saved: AppliedTemplate[] = [];
    for (const { doc, content, compiled } of prepared) saved.push(await saveVersion(trx, workspaceId, doc, content, compiled, source, actor));
    return saved;
  });
  // After the commit too: a render that read the old current version meanwhile must not keep it.
  TEMPLATE_POINTERS.invalidate(workspaceId);
  return applied;
}

function contentOf(doc: TemplateDocument): TemplateContent {
  return { subject: doc.subject, preheader: doc.preheader ?? null, bodyFormat: doc.format ?? detectBodyFormat(doc.body), body: doc.body, textBody: doc.text ?? null };
}

const hashOf = (doc: TemplateDocument, content: TemplateContent) =>
  createHash('sha256').update(JSON.stringify([doc.name, content.subject, content.preheader, content.bodyFormat, content.body, content.textBody, doc.topic ?? null])).digest('hex');

async function saveVersion(trx: Kysely<Database>, workspaceId: string, doc: TemplateDocument, content: TemplateContent, compiledHtml: string, source: string | null, actor: AuditActor): Promise<AppliedTemplate> {
  const inserted = await q.insertTemplate(trx, workspaceId, doc.key);
  const template = await q.selectTemplateByKeyForUpdate(trx, workspaceId, doc.key);
  if (!template) throw new AppError('conflict', `template ${doc.key} was deleted while saving; apply again`);
  const hash = hashOf(doc, content);
  if (template.current_version > 0) {
    const current = await q.selectVersion(trx, workspaceId, template.id, template.current_version);
    if (current?.content_hash === hash) return { key: doc.key, version: template.current_version, changed: false, created: false };
  }
  const version = template.current_version + 1;
  await q.insertVersion(trx, workspaceId, template.id, version, {
    name: doc.name,
    subject: content.subject,
    preheader: content.preheader,
    body_format: content.bodyFormat,
    body: content.body,
    text_body: content.textBody,
    default_topic: doc.topic ?? null,
    compiled_html: compiledHtml,
    content_hash: hash,
    source_yaml: source,
    created_by: `${actor.kind}:${actor.id}`,
  });
  await q.updateCurrentVersion(trx, workspaceId, template.id, version);
  await recordAudit(trx, { workspaceId, actor, action: 'template.saved', objectType: 'email_template', objectId: template.id, details: { key: doc.key, version } });
  return { key: doc.key, version, changed: true, created: inserted !== undefined };
}

export const listTemplates = (db: Kysely<Database>, workspaceId: string) => q.selectTemplates(db, workspaceId);

/** A template's version (default: current) with the list of all its versions. */
export async function getTemplate(db: Kysely<Database>, workspaceId: string, key: string, version?: number) {
  const { template, row } = await loadVersionRow(db, workspaceId, key, version);
  const versions = await q.selectVersionSummaries(db, workspaceId, template.id);
  return { key: template.key, current_version: template.current_version, version: row, versions };
}

async function loadVersionRow(db: Kysely<Database>, workspaceId: string, key: string, version?: number) {
  const template = await q.selectTemplateByKey(db, workspaceId, key);
  if (!template) throw new AppError('not_found', `No template with key ${JSON.stringify(key)} in this workspace`, { field: 'templateKey', value: key });
  const wanted = version ?? template.current_version;
  const row = await q.selectVersion(db, workspaceId, template.id, wanted);
  if (!row) throw new AppError('not_found', `Template ${key} has no version ${wanted} (versions 1 to ${template.current_version})`, { field: 'version', value: wanted });
  return { template, row };
}

// Parsed Liquid per immutable version: a version never changes, so entries never go stale.
const COMPILED = new LruCache<{ row: TemplateVersion; compiled: CompiledTemplate }>(500);

/** A version ready to render, from the in-process cache or parsed from its row once. */
// Which version is current, per key: for SETTINGS_TTL_MS, dropped at once by a save in this process.
const TEMPLATE_POINTERS = new WorkspaceCache<Awaited<ReturnType<typeof q.selectTemplateByKey>>>();

export async function loadRenderableTemplate(db: Kysely<Database>, workspaceId: string, key: string, version?: number): Promise<{ row: TemplateVersion; compiled: CompiledTemplate }> {
  // A key not found is read again, uncached: the template may have just been created elsewhere.
  const template = (await TEMPLATE_POINTERS.get(db, `${workspaceId}:${key}`, () => q.selectTemplateByKey(db, workspaceId, key))) ?? (await q.selectTemplateByKey(db, workspaceId, key));
  if (!template) throw new AppError('not_found', `No template with key ${JSON.stringify(key)} in this workspace`, { field: 'templateKey', value: key });
  const wanted = version ?? template.current_version;
  const cacheKey = `${workspaceId}:${template.id}:${wanted}`;
  const cached = COMPILED.get(cacheKey);
  if (cached) return cached;
  const { row } = await loadVersionRow(db, workspaceId, key, wanted);
  const entry = { row, compiled: loadCompiledTemplate({ subject: row.subject, preheader: row.preheader, bodyFormat: row.body_format, body: row.body, textBody: row.text_body }, row.compiled_html) };
  COMPILED.set(cacheKey, entry);
  return entry;
}
