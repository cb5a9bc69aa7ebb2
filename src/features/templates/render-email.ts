import { randomUUID } from 'node:crypto';
import { compile as compileHtmlToText } from 'html-to-text';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { addEmailTracking, appendUtmParameters, createTrackingSigner } from '../email-tracking/index.ts';
import type { CompiledTemplate } from './template-compiler.ts';
import { loadTemplateData } from './template-data.ts';
import { renderLiquidPart, type MissingField } from './template-liquid.ts';
import { loadRenderableTemplate } from './templates.service.ts';

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

const toText = compileHtmlToText({
  wordwrap: 78,
  selectors: [
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'div.keel-preheader', format: 'skip' },
  ],
});

/**
 * Renders a template version (default: current) for one contact: Liquid per part, the
 * plain-text part, tracked links and the open pixel. A merge field with no data and no
 * `| default:` is an `invalid` error naming every such field: a message never says "Hi ,".
 *
 * @example
 * const email = await renderEmail(db, { workspaceId, contactId, templateKey: 'welcome', messageId: randomUUID(), publicUrl: 'https://mail.example.com' });
 */
export async function renderEmail(db: Kysely<Database>, input: RenderEmailInput): Promise<RenderedEmail> {
  // Independent reads side by side: with a connection pool they overlap.
  const [{ row, compiled }, data, signer] = await Promise.all([
    loadRenderableTemplate(db, input.workspaceId, input.templateKey, input.version),
    loadTemplateData(db, input.workspaceId, input.contactId),
    createTrackingSigner(db, input.workspaceId),
  ]);
  const parts = renderParts(compiled, data);
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
    text: parts.text ?? toText(tracked.untrackedHtml),
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

/** Liquid of every part against one recipient's data; missing fields are collected, not thrown. */
export function renderParts(compiled: CompiledTemplate, data: Record<string, unknown>): RenderedParts {
  const subject = renderLiquidPart(compiled.subject, data, false);
  const preheader = compiled.preheader ? renderLiquidPart(compiled.preheader, data, false) : null;
  const html = renderLiquidPart(compiled.html, data, true);
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
