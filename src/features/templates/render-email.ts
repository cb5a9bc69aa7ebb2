import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { getContact, getContactsByIds } from '../contacts/index.ts';
import { addEmailTracking, appendUtmParameters, createTrackingSigner, type TrackingSigner } from '../email-tracking/index.ts';
import type { CompiledTemplate } from './template-compiler.ts';
import { loadTemplateData, loadTemplateDataMany, type TemplateData } from './template-data.ts';
import { renderLiquidPart, type MissingField } from './template-liquid.ts';
import { loadRenderableTemplate, type TemplateVersion } from './templates.service.ts';
import { bodyOf, fillTextPlan, htmlToText as toText, planTextPart, type TextPlan } from './text-part.ts';

export interface RenderEmailInput {
  workspaceId: string;
  contactId: string;
  templateKey: string;
  version?: number;
  /** uuid; becomes messages.id and goes into tracking links. */
  messageId: string;
  /** Base of tracking links, e.g. http://localhost:3000 */
  publicUrl: string;
  journey?: { id: string; version: number; stepId: string; variant?: string };
}

export interface RenderedEmail {
  templateKey: string;
  templateVersion: number;
  subject: string;
  preheader: string | null;
  html: string;
  text: string;
  /** The template's default subscription topic key (beyond the contract; optional so other shapes still fit). */
  topic?: string | null;
}

/**
 * Renders a template version (default: current) for one contact: Liquid per part, the
 * plain-text part, tracked links and the open pixel. A merge field with no data and no
 * `| default:` is an `invalid` error naming every such field: a message never says "Hi ,".
 *
 * @example
 * const email = await renderEmail(db, { workspaceId, contactId, templateKey: 'welcome', messageId: randomUUID(), publicUrl: 'https://mail.example.com' });
 */
export async function renderEmail(db: Kysely<Database>, input: RenderEmailInput): Promise<RenderedEmail> {
  const [result] = await renderEmails(db, { ...input, recipients: [{ contactId: input.contactId, messageId: input.messageId }] });
  if (!result!.ok) throw result!.error;
  return result!.email;
}

export interface RenderEmailsInput extends Omit<RenderEmailInput, 'contactId' | 'messageId'> {
  recipients: ReadonlyArray<{ contactId: string; messageId: string }>;
}

export type RenderResult = { ok: true; email: RenderedEmail } | { ok: false; contactId: string; error: AppError };

/**
 * One template version for many recipients: the template (cached), the signer and every
 * contact row are read once for all; account, scores and stage only when the template
 * uses them. A recipient whose data misses a field, or who does not exist, gets an error
 * result of its own; the others render.
 */
export async function renderEmails(db: Kysely<Database>, input: RenderEmailsInput): Promise<RenderResult[]> {
  const ids = [...new Set(input.recipients.map((r) => r.contactId))];
  const [{ row, compiled }, contacts, signer] = await Promise.all([
    loadRenderableTemplate(db, input.workspaceId, input.templateKey, input.version),
    ids.length === 1 ? getContact(db, input.workspaceId, ids[0]!).then((c) => [c]) : getContactsByIds(db, input.workspaceId, ids),
    createTrackingSigner(db, input.workspaceId),
  ]);
  const found = new Map(contacts.map((c) => [c.id, c]));
  const known = ids.filter((id) => found.has(id));
  const data = new Map((await loadTemplateDataMany(db, input.workspaceId, known.map((id) => found.get(id)!), compiled.roots)).map((d, i) => [known[i]!, d]));
  const plan = compiled.text ? null : await textPlanOf(db, input, compiled);
  return Promise.all(input.recipients.map(async ({ contactId, messageId }): Promise<RenderResult> => {
    const contactData = data.get(contactId);
    if (!contactData) return { ok: false, contactId, error: new AppError('not_found', `Contact ${contactId} not found`) };
    try {
      return { ok: true, email: await renderOne(db, { ...input, contactId, messageId }, row, compiled, contactData, signer, plan) };
    } catch (error) {
      if (error instanceof AppError) return { ok: false, contactId, error };
      throw error;
    }
  }));
}

// Per compiled version (dropped with it from the template cache) and link context.
const TEXT_PLANS = new WeakMap<CompiledTemplate, Map<string, Promise<TextPlan | null>>>();

/** The version's text plan for these links (UTM parameters follow the template and journey step). */
function textPlanOf(db: Kysely<Database>, input: RenderEmailsInput, compiled: CompiledTemplate): Promise<TextPlan | null> {
  const key = JSON.stringify([input.publicUrl, input.templateKey, input.journey?.id ?? null, input.journey?.stepId ?? null]);
  let plans = TEXT_PLANS.get(compiled);
  if (!plans) TEXT_PLANS.set(compiled, (plans = new Map()));
  let plan = plans.get(key);
  if (!plan) {
    const links = async (html: string) => {
      const tracking = { workspaceId: input.workspaceId, contactId: '', messageId: '', templateKey: input.templateKey, templateVersion: 0, journeyId: input.journey?.id ?? null, journeyVersion: null, stepId: input.journey?.stepId ?? null, variant: null, publicUrl: input.publicUrl };
      return (await addEmailTracking(db, withPreheader(html, compiled.preheader ? 'preheader' : null), tracking, () => '')).untrackedHtml;
    };
    plans.set(key, (plan = planTextPart(compiled, links)));
    if (plans.size > 100) plans.delete(plans.keys().next().value!);
  }
  return plan;
}

async function renderOne(db: Kysely<Database>, input: RenderEmailInput, row: TemplateVersion, compiled: CompiledTemplate, data: TemplateData, signer: TrackingSigner, plan: TextPlan | null = null): Promise<RenderedEmail> {
  const values: string[] = [];
  const parts = renderParts(compiled, data, plan ? values : undefined);
  refuseMissing(input.templateKey, row.version, input.contactId, parts.missing);
  const tracked = await addEmailTracking(db, withPreheader(parts.html, parts.preheader), {
    workspaceId: input.workspaceId,
    contactId: input.contactId,
    messageId: input.messageId,
    templateKey: input.templateKey,
    templateVersion: row.version,
    journeyId: input.journey?.id ?? null,
    journeyVersion: input.journey?.version ?? null,
    stepId: input.journey?.stepId ?? null,
    variant: input.journey?.variant ?? null,
    publicUrl: input.publicUrl,
  }, signer);
  return {
    templateKey: input.templateKey,
    templateVersion: row.version,
    subject: parts.subject,
    preheader: parts.preheader,
    html: tracked.html,
    text: parts.text ?? (plan ? fillTextPlan(plan, values) : toText(bodyOf(tracked.untrackedHtml))),
    topic: row.default_topic,
  };
}

/** A preview for a person: no tracking (links get their UTM parameters only), nothing recorded. */
export async function previewEmail(db: Kysely<Database>, workspaceId: string, templateKey: string, contactId: string, version?: number): Promise<RenderedEmail & { messageId: string }> {
  const { row, compiled } = await loadRenderableTemplate(db, workspaceId, templateKey, version);
  const parts = renderParts(compiled, await loadTemplateData(db, workspaceId, contactId));
  refuseMissing(templateKey, row.version, contactId, parts.missing);
  const html = withPreheader(parts.html, parts.preheader).replace(/href="(https?:\/\/[^"]+)"/gi, (whole, href: string) => {
    try {
      return `href="${appendUtmParameters(new URL(href.replace(/&amp;/g, '&')), { templateKey }).href.replace(/&/g, '&amp;')}"`;
    } catch {
      return whole;
    }
  });
  return { messageId: randomUUID(), templateKey, templateVersion: row.version, subject: parts.subject, preheader: parts.preheader, html, text: parts.text ?? toText(html), topic: row.default_topic };
}

export interface RenderedParts {
  subject: string;
  preheader: string | null;
  html: string;
  text: string | null;
  missing: MissingField[];
}

/** Liquid of every part against one recipient's data; missing fields are collected, not thrown. `values`: what each `{{ }}` of the body wrote. */
export function renderParts(compiled: CompiledTemplate, data: Record<string, unknown>, values?: string[]): RenderedParts {
  const subject = renderLiquidPart(compiled.subject, data, false);
  const preheader = compiled.preheader ? renderLiquidPart(compiled.preheader, data, false) : null;
  const html = renderLiquidPart(compiled.html, data, true, values);
  const text = compiled.text ? renderLiquidPart(compiled.text, data, false) : null;
  return {
    subject: subject.output.replace(/\s+/g, ' ').trim(),
    preheader: preheader ? preheader.output.trim() || null : null,
    html: html.output,
    text: text ? text.output : null,
    missing: [...subject.missing, ...(preheader?.missing ?? []), ...html.missing, ...(text?.missing ?? [])],
  };
}

function refuseMissing(key: string, version: number, contactId: string, missing: MissingField[]): void {
  if (missing.length === 0) return;
  const list = missing.map((m) => `${m.field} (${m.part}${m.line ? ` line ${m.line}` : ''})`).join(', ');
  throw new AppError(
    'invalid',
    `template ${key} v${version} cannot be rendered for contact ${contactId}: no data and no default for ${list}; fill the field or write {{ field | default: "..." }}`,
    { field: 'template', missing },
  );
}

/** The preheader as the hidden first text of the body (what inboxes show after the subject). */
function withPreheader(html: string, preheader: string | null): string {
  if (!preheader) return html;
  const escaped = preheader.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
  const div = `<div class="keel-preheader" style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${escaped}</div>`;
  const body = /<body\b[^>]*>/i.exec(html);
  return body ? html.slice(0, body.index + body[0].length) + div + html.slice(body.index + body[0].length) : div + html;
}
