// What one stored event contributes to attribution, decided from that event alone: the row
// of the `touchpoints` table (migration 0015). Everything that depends on other events (a
// direct visit needs 30 minutes without a page view, a form fill takes the source of its
// visit, the first form fill is lead creation, repeats within 30 minutes collapse) and on
// the workspace's channel rules (aliases, channels) is applied when attribution reads the
// rows, so a row never changes unless its event does (merge, anonymization, deletion).

/** Kinds of touch; a page view is one only when it starts a visit. */
export type TouchKind = 'page' | 'email_click' | 'form' | 'ad_click' | 'webinar' | 'offline';

/**
 * How a page view relates to a visit: `tagged` (UTM tags) and `external` (referrer on
 * another host) always start one; `direct` (no referrer) starts one after 30 minutes
 * without a page view; `internal` (referrer on the same host) never does, but keeps the
 * visit going. Null for track touches.
 */
export type PageVisit = 'tagged' | 'external' | 'direct' | 'internal';

/** Track events that are touches (offline touches arrive as `Offline Touch` events, e.g. by CSV import). */
export const TOUCH_EVENTS: Record<string, TouchKind> = {
  'Email Link Clicked': 'email_click',
  'Form Submitted': 'form',
  'Ad Clicked': 'ad_click',
  'Webinar Attended': 'webinar',
  'Offline Touch': 'offline',
};

/** One `touchpoints` row without its keys, contact and time. Source and medium are as sent (aliases apply at read time); campaign, content and term normalised. */
export interface TouchCandidate {
  kind: TouchKind;
  visit: PageVisit | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
}

/** The event fields a candidate is derived from. */
export interface TouchSourceEvent {
  type: string;
  name: string | null;
  page_url: string | null;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  properties: unknown;
}

const SEARCH_ENGINES: Record<string, string> = { google: 'google', bing: 'bing', duckduckgo: 'duckduckgo', yahoo: 'yahoo', baidu: 'baidu', yandex: 'yandex', ecosia: 'ecosia' };
const SOCIAL_SITES = ['linkedin', 'facebook', 'twitter', 'instagram', 'reddit', 'youtube', 'tiktok', 'x', 't'];

/** Case, surrounding and inner whitespace: " Paid  Social " -> "paid_social". */
export function normalizeUtmValue(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const v = value.trim().toLowerCase().replace(/[\s]+/g, '_');
  return v.length === 0 ? null : v;
}

/** The touchpoints row of an event, or null: only page views and the track events of TOUCH_EVENTS have one. */
export function touchCandidateOf(e: TouchSourceEvent): TouchCandidate | null {
  if (e.type === 'page') return pageCandidate(e);
  if (e.type === 'track' && e.name && Object.hasOwn(TOUCH_EVENTS, e.name)) return trackCandidate(e, TOUCH_EVENTS[e.name]!);
  return null;
}

function pageCandidate(e: TouchSourceEvent): TouchCandidate {
  const base = { kind: 'page' as const, content: normalizeUtmValue(e.utm_content), term: normalizeUtmValue(e.utm_term) };
  if (e.utm_source || e.utm_medium || e.utm_campaign) return { ...base, visit: 'tagged', source: e.utm_source, medium: e.utm_medium, campaign: normalizeUtmValue(e.utm_campaign) };
  const referrer = hostOf(e.referrer);
  if (referrer && referrer !== hostOf(e.page_url)) {
    const name = siteName(referrer);
    const medium = SEARCH_ENGINES[name] ? 'organic' : SOCIAL_SITES.includes(name) ? 'social' : 'referral';
    return { ...base, visit: 'external', source: SEARCH_ENGINES[name] ?? referrer, medium, campaign: null };
  }
  if (!referrer) return { ...base, visit: 'direct', source: '(direct)', medium: '(none)', campaign: null };
  return { kind: 'page', visit: 'internal', source: null, medium: null, campaign: null, content: null, term: null };
}

/** A form fill's own fields are its touch when it happened outside a visit (source `(direct)`); inside one it takes the visit's. */
function trackCandidate(e: TouchSourceEvent, kind: TouchKind): TouchCandidate {
  const p = (e.properties ?? {}) as Record<string, unknown>;
  const str = (...keys: string[]) => {
    for (const k of keys) if (typeof p[k] === 'string' && p[k] !== '') return p[k] as string;
    return null;
  };
  const base = { kind, visit: null, content: normalizeUtmValue(str('utm_content', 'content')), term: normalizeUtmValue(str('utm_term', 'term')) };
  switch (kind) {
    case 'email_click':
      return { ...base, source: str('campaign_source', 'utm_source') ?? 'email', medium: 'email', campaign: normalizeUtmValue(str('campaign_name', 'utm_campaign', 'email_id')) };
    case 'form':
      return { ...base, source: '(direct)', medium: '(none)', campaign: null };
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
