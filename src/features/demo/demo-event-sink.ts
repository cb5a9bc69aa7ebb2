import { SITE, type SitePage, type Utm } from './demo-marketing.ts';

type Json = Record<string, unknown>;

/** A Segment-spec event as an SDK would send it (the shape `acceptEvents` takes). */
export interface DemoEvent {
  type: 'identify' | 'track' | 'page' | 'group';
  messageId: string;
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  event?: string;
  name?: string;
  groupId?: string;
  properties?: Json;
  traits?: Json;
  context: Json;
}

/** A browser: its analytics.js cookie (anonymousId) and what it reports about itself. */
export interface Device {
  anonymousId: string;
  userAgent: string;
  locale: string;
  timezone: string;
}

/** Who an event is about: before identify only the device is known. */
export interface Actor {
  device: Device | null;
  userId: string | null;
}

/** Where a browser event happened, for context.page. */
export interface PageContext {
  page: SitePage;
  url: string;
  referrer: string | null;
  utm: Utm | null;
}

const BROWSER_LIBRARY = { name: 'analytics.js', version: 'next-1.70.0' };
const SERVER_LIBRARY = { name: '@segment/analytics-node', version: '2.1.2' };

/**
 * Collects one account's events with deterministic messageIds (`<prefix>-<n>`). Events
 * after the anchor are dropped: the demo describes the past only.
 */
export class EventSink {
  readonly events: DemoEvent[] = [];
  readonly #prefix: string;
  readonly #anchorMs: number;
  #sequence = 0;

  constructor(prefix: string, anchorMs: number) {
    this.#prefix = prefix;
    this.#anchorMs = anchorMs;
  }

  page(actor: Actor, atMs: number, at: PageContext): void {
    const { page, url, referrer } = at;
    const search = url.includes('?') ? url.slice(url.indexOf('?')) : '';
    const properties = { path: page.path, url, title: `${page.name} | Northstack`, referrer: referrer ?? '', search };
    this.#push(actor, atMs, { type: 'page', name: page.name, properties }, at);
  }

  track(actor: Actor, atMs: number, event: string, properties: Json, at: PageContext | null = null): void {
    this.#push(actor, atMs, { type: 'track', event, properties }, at);
  }

  identify(actor: Actor, atMs: number, traits: Json, at: PageContext | null): void {
    this.#push(actor, atMs, { type: 'identify', traits }, at);
  }

  group(actor: Actor, atMs: number, groupId: string, traits: Json): void {
    this.#push(actor, atMs, { type: 'group', groupId, traits }, null);
  }

  #push(actor: Actor, atMs: number, body: Omit<DemoEvent, 'messageId' | 'timestamp' | 'context'>, at: PageContext | null): void {
    if (atMs > this.#anchorMs) return;
    this.#sequence += 1;
    const event: DemoEvent = {
      ...body,
      messageId: `${this.#prefix}-${this.#sequence}`,
      timestamp: new Date(Math.round(atMs)).toISOString(),
      context: contextOf(actor.device, at),
    };
    if (actor.userId) event.userId = actor.userId;
    if (actor.device) event.anonymousId = actor.device.anonymousId;
    this.events.push(event);
  }
}

function contextOf(device: Device | null, at: PageContext | null): Json {
  if (!device) return { library: SERVER_LIBRARY };
  const context: Json = { library: BROWSER_LIBRARY, userAgent: device.userAgent, locale: device.locale, timezone: device.timezone };
  if (at) {
    const search = at.url.includes('?') ? at.url.slice(at.url.indexOf('?')) : '';
    context.page = { path: at.page.path, url: at.url, title: `${at.page.name} | Northstack`, referrer: at.referrer ?? '', search };
    if (at.utm) context.campaign = { ...at.utm };
  }
  return context;
}

/** The landing URL of a touch: the page with its UTM tags as query parameters. */
export function landingUrl(path: string, utm: Utm | null): string {
  if (!utm) return `${SITE}${path}`;
  const query = new URLSearchParams({ utm_source: utm.source, utm_medium: utm.medium, utm_campaign: utm.name });
  if (utm.term) query.set('utm_term', utm.term);
  if (utm.content) query.set('utm_content', utm.content);
  return `${SITE}${path}?${query.toString()}`;
}
