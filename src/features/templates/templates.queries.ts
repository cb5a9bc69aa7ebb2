import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, EmailTemplateVersionsTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database>;
export type TemplateVersionRow = Selectable<EmailTemplateVersionsTable>;
export type TemplateVersionInsert = Omit<Insertable<EmailTemplateVersionsTable>, 'workspace_id' | 'template_id' | 'version'>;

export const selectTemplateByKey = (db: Q, workspaceId: string, key: string) =>
  db.selectFrom('email_templates').selectAll().where('workspace_id', '=', workspaceId).where('key', '=', key).executeTakeFirst();

/** Locks the template row so two saves of one key number their versions in turn. */
export const selectTemplateByKeyForUpdate = (db: Q, workspaceId: string, key: string) =>
  db.selectFrom('email_templates').selectAll().where('workspace_id', '=', workspaceId).where('key', '=', key).forUpdate().executeTakeFirst();

export const insertTemplate = (db: Q, workspaceId: string, key: string) =>
  db
    .insertInto('email_templates')
    .values({ workspace_id: workspaceId, key, current_version: 0 })
    .onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing())
    .returningAll()
    .executeTakeFirst();

export const updateCurrentVersion = (db: Q, workspaceId: string, templateId: string, version: number) =>
  db.updateTable('email_templates').set({ current_version: version, updated_at: new Date() }).where('workspace_id', '=', workspaceId).where('id', '=', templateId).execute();

export const insertVersion = (db: Q, workspaceId: string, templateId: string, version: number, row: TemplateVersionInsert) =>
  db
    .insertInto('email_template_versions')
    .values({ ...row, workspace_id: workspaceId, template_id: templateId, version })
    .returningAll()
    .executeTakeFirstOrThrow();

export const selectVersion = (db: Q, workspaceId: string, templateId: string, version: number) =>
  db
    .selectFrom('email_template_versions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('template_id', '=', templateId)
    .where('version', '=', version)
    .executeTakeFirst();

export const selectVersionSummaries = (db: Q, workspaceId: string, templateId: string) =>
  db
    .selectFrom('email_template_versions')
    .select(['version', 'name', 'subject', 'content_hash', 'created_by', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('template_id', '=', templateId)
    .orderBy('version', 'desc')
    .execute();

/** Every template with its current version's name, subject and topic. */
export const selectTemplates = (db: Q, workspaceId: string) =>
  db
    .selectFrom('email_templates as t')
    .innerJoin('email_template_versions as v', (j) =>
      j.onRef('v.workspace_id', '=', 't.workspace_id').onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version'),
    )
    .select(['t.key', 't.current_version', 't.updated_at', 'v.name', 'v.subject', 'v.body_format', 'v.default_topic'])
    .where('t.workspace_id', '=', workspaceId)
    .orderBy('t.key')
    .execute();
