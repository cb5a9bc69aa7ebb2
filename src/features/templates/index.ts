export { renderEmail, renderEmails, previewEmail, renderParts, type RenderedEmail, type RenderEmailInput, type RenderEmailsInput, type RenderResult } from './render-email.ts';
export { applyTemplates, getTemplate, listTemplates, loadRenderableTemplate, type AppliedTemplate, type TemplateVersion } from './templates.service.ts';
export { loadTemplateData, loadTemplateDataMany, type TemplateData } from './template-data.ts';
export { checkTemplate, SPAM_TRIGGERS, type TemplateCheckReport } from './template-check.ts';
export { parseTemplateDocuments, TEMPLATE_JSON_SCHEMA, TemplateDocumentSchema, type TemplateDocument } from './template-document.ts';
export type { MissingField, TemplatePart } from './template-liquid.ts';
export { registerTemplateRoutes } from './templates.routes.ts';
