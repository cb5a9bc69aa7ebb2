import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { AppError } from '../../platform/errors.ts';
import { createTrackingSigner, type TrackedMessage, type TrackingSigner } from './tracking-token.ts';
import { appendUtmParameters } from './utm-rules.ts';

export interface TrackingInput extends Omit<TrackedMessage, 'issuedAt'> {
  /** Base of tracking links, e.g. https://mail.example.com */
  publicUrl: string;
  issuedAt?: Date;
}

export interface TrackedHtml {
  /** Links through /t/c/<token>, the open pixel before </body>. */
  html: string;
  /** The same HTML with UTM parameters but no tracking: the source of the plain-text part. */
  untrackedHtml: string;
  links: Array<{ index: number; url: string; tracked: boolean }>;
}

export const MAX_TRACKED_URL_CHARS = 2048;

// <a ... href="..."> with the href in double or single quotes (MJML writes double quotes).
const ANCHOR = /<a\b([^>]*?\s)href\s*=\s*(?:"([^"]*)"|'([^']*)')([^>]*)>/gi;
const NO_TRACK = /\sdata-keel-track\s*=\s*(?:"false"|'false'|false)/i;

/**
 * Rewrites every http(s) link to `${publicUrl}/t/c/<token>` (signed: workspace, contact,
 * message, link index, destination with UTM parameters) and adds the open pixel. Left as
 * they are: mailto: and other schemes, links marked data-keel-track="false" (the marker is
 * removed), and Keel's own pages (/u /p /c /t under publicUrl: the gate adds the
 * unsubscribe and preference links after this).
 */
export async function addEmailTracking(db: Kysely<Database>, html: string, input: TrackingInput, signer?: TrackingSigner): Promise<TrackedHtml> {
  const base = input.publicUrl.replace(/\/+$/, '');
  const message: TrackedMessage = { ...input, issuedAt: input.issuedAt ?? new Date() };
  const sign = signer ?? (await createTrackingSigner(db, input.workspaceId));
  const links: TrackedHtml['links'] = [];
  const own = new RegExp(`^${escapeRegExp(base)}/(u|p|c|t)/`, 'i');
  let untrackedHtml = '';
  let tracked = '';
  let last = 0;
  for (const match of html.matchAll(ANCHOR)) {
    const [whole, before = '', dq, sq, after = ''] = match;
    const href = decodeEntities(dq ?? sq ?? '');
    const start = match.index;
    untrackedHtml += html.slice(last, start);
    tracked += html.slice(last, start);
    last = start + whole.length;
    const attrs = { before: before.replace(NO_TRACK, ''), after: after.replace(NO_TRACK, '') };
    const skip = NO_TRACK.test(before) || NO_TRACK.test(after) || !/^https?:\/\//i.test(href.trim()) || own.test(href.trim());
    const url = skip ? null : parseUrl(href.trim());
    if (!url) {
      const kept = `<a${attrs.before}href="${encodeEntities(href)}"${attrs.after}>`;
      untrackedHtml += kept;
      tracked += kept;
      continue;
    }
    const destination = appendUtmParameters(url, { templateKey: input.templateKey, journeyId: input.journeyId ?? undefined, stepId: input.stepId ?? undefined }).href;
    if (destination.length > MAX_TRACKED_URL_CHARS) throw new AppError('invalid', `body: link ${links.length + 1} is ${destination.length} characters long; tracked links may have at most ${MAX_TRACKED_URL_CHARS}`, { field: 'body', value: destination.slice(0, 200) });
    const index = links.length;
    links.push({ index, url: destination, tracked: true });
    untrackedHtml += `<a${attrs.before}href="${encodeEntities(destination)}"${attrs.after}>`;
    tracked += `<a${attrs.before}href="${base}/t/c/${sign('click', message, { index, url: destination })}"${attrs.after}>`;
  }
  untrackedHtml += html.slice(last);
  tracked += html.slice(last);
  const pixel = `<img src="${base}/t/o/${sign('open', message)}.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0;" />`;
  return { html: insertBeforeBodyEnd(tracked, pixel), untrackedHtml, links };
}

function parseUrl(href: string): URL | null {
  try {
    return new URL(href);
  } catch {
    return null;
  }
}

export function insertBeforeBodyEnd(html: string, fragment: string): string {
  const at = html.toLowerCase().lastIndexOf('</body>');
  return at === -1 ? html + fragment : html.slice(0, at) + fragment + html.slice(at);
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'", '&lt;': '<', '&gt;': '>', '&#38;': '&' };
const decodeEntities = (s: string) => s.replace(/&(amp|quot|#39|#x27|lt|gt|#38);/gi, (e) => ENTITIES[e.toLowerCase()] ?? e);
const encodeEntities = (s: string) => s.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
