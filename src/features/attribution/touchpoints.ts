import type { TouchEventRow } from '../events/index.ts';
import type { ChannelGrouping} from './channel-rules.ts';
import { normalizeUtmValue, type TouchKind } from './channel-rules.ts';

/** One marketing touch of a contact, with its channel grouping. */
export interface Touchpoint {
  contactId: string;
  time: number;
  kind: TouchKind;
  channel: string;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
  /** The contact's first form fill: the lead-creation touch of the milestone models. */
  leadCreation: boolean;
}

/** Track events that are touches (offline touches arrive as `Offline Touch` events, e.g. by CSV import). */
export const TOUCH_EVENTS: Record<string, TouchKind> = {
  'Email Link Clicked': 'email_click',
  'Form Submitted': 'form',
  'Ad Clicked': 'ad_click',
  'Webinar Attended': 'webinar',
  'Offline Touch': 'offline',
};

const SESSION_MS = 30 * 60_000;
const SEARCH_ENGINES: Record<string, string> = { google: 'google', bing: 'bing', duckduckgo: 'duckduckgo', yahoo: 'yahoo', baidu: 'baidu', yandex: 'yandex', ecosia: 'ecosia' };
const SOCIAL_SITES = ['linkedin', 'facebook', 'twitter', 'instagram', 'reddit', 'youtube', 'tiktok', 'x', 't'];

type Draft = Omit<Touchpoint, 'channel' | 'leadCreation' | 'contactId'> & { leadCreation: boolean };

/**
 * Touchpoints of one contact's events (time order). A page view is a touch when it starts a
 * visit: it carries UTM tags, comes from another site, or (no referrer) follows 30 minutes
 * without a page view. Email clicks, form fills, ad clicks, webinar attendance and offline
 * touches are touches; a form fill takes the source of the visit it happened in. The same
 * channel/source/medium/campaign/content again within 30 minutes is one touch (an email
 * click and the tagged page view it opens), keeping the earlier time and any lead flag.
 */
export function deriveTouchpoints(contactId: string, events: readonly TouchEventRow[], grouping: ChannelGrouping): Touchpoint[] {
  const touches: Touchpoint[] = [];
  let lastPageMs = -Infinity;
  let visit: Draft | null = null;
  let leadSeen = false;
  for (const e of events) {
    const time = new Date(e.timestamp).getTime();
    let draft: Draft | null = null;
    if (e.type === 'page') {
      draft = pageTouch(e, time, lastPageMs);
      lastPageMs = time;
      if (draft) visit = draft;
    } else if (e.name && TOUCH_EVENTS[e.name]) {
      draft = trackTouch(e, TOUCH_EVENTS[e.name]!, time, visit && time - visit.time < SESSION_MS ? visit : null);
      if (draft?.kind === 'form' && !leadSeen) {
        draft.leadCreation = true;
        leadSeen = true;
      }
    }
    if (!draft) continue;
    draft.source = grouping.normalizeSource(draft.source);
    draft.medium = grouping.normalizeMedium(draft.medium);
    const channel = grouping.classify(draft);
    const previous = touches[touches.length - 1];
    if (previous && sameTouch(previous, channel, draft) && draft.time - previous.time < SESSION_MS) {
      previous.leadCreation ||= draft.leadCreation;
      continue;
    }
    touches.push({ ...draft, contactId, channel });
  }
  return touches;
}

function sameTouch(t: Touchpoint, channel: string, d: Draft): boolean {
  return t.channel === channel && t.source === d.source && t.medium === d.medium && t.campaign === d.campaign && t.content === d.content;
}

function pageTouch(e: TouchEventRow, time: number, lastPageMs: number): Draft | null {
  const base = { time, kind: 'page' as const, content: normalizeUtmValue(e.utm_content), term: normalizeUtmValue(e.utm_term), leadCreation: false };
  if (e.utm_source || e.utm_medium || e.utm_campaign) return { ...base, source: e.utm_source, medium: e.utm_medium, campaign: normalizeUtmValue(e.utm_campaign) };
  const referrer = hostOf(e.referrer);
  if (referrer && referrer !== hostOf(e.page_url)) {
    const name = siteName(referrer);
    const medium = SEARCH_ENGINES[name] ? 'organic' : SOCIAL_SITES.includes(name) ? 'social' : 'referral';
    return { ...base, source: SEARCH_ENGINES[name] ?? referrer, medium, campaign: null };
  }
  if (!referrer && time - lastPageMs >= SESSION_MS) return { ...base, source: '(direct)', medium: '(none)', campaign: null };
  return null;
}

function trackTouch(e: TouchEventRow, kind: TouchKind, time: number, visit: Draft | null): Draft {
  const p = (e.properties ?? {}) as Record<string, unknown>;
  const str = (...keys: string[]) => {
    for (const k of keys) if (typeof p[k] === 'string' && p[k] !== '') return p[k] as string;
    return null;
  };
  const base = { time, kind, leadCreation: false, content: normalizeUtmValue(str('utm_content', 'content')), term: normalizeUtmValue(str('utm_term', 'term')) };
  switch (kind) {
    case 'email_click':
      return { ...base, source: str('campaign_source', 'utm_source') ?? 'email', medium: 'email', campaign: normalizeUtmValue(str('campaign_name', 'utm_campaign', 'email_id')) };
    case 'form':
      return visit ? { ...base, source: visit.source, medium: visit.medium, campaign: visit.campaign, content: visit.content, term: visit.term } : { ...base, source: '(direct)', medium: '(none)', campaign: null };
    case 'webinar':
      return { ...base, source: str('utm_source', 'source') ?? 'webinar', medium: str('utm_medium', 'medium') ?? 'webinar', campaign: normalizeUtmValue(str('utm_campaign', 'campaign', 'webinar_title', 'webinar_id')) };
    case 'ad_click':
      return { ...base, source: str('utm_source', 'source', 'network'), medium: str('utm_medium', 'medium') ?? 'cpc', campaign: normalizeUtmValue(str('utm_campaign', 'campaign', 'campaign_name')) };
    default:
      return { ...base, source: str('utm_source', 'source'), medium: str('utm_medium', 'medium') ?? 'offline', campaign: normalizeUtmValue(str('utm_campaign', 'campaign')) };
  }
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, '');
  } catch {
    return null;
  }
}

/** "l.facebook.com" -> "facebook", "news.ycombinator.com" -> "ycombinator". */
function siteName(host: string): string {
  const parts = host.split('.');
  return parts.length >= 2 ? parts[parts.length - 2]! : host;
}
