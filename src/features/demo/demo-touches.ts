import {
  FIELD_EVENTS,
  ORGANIC_LANDING_PATHS,
  ORGANIC_REFERRERS,
  PAID_SEARCH_CAMPAIGNS,
  PAID_SOCIAL_CAMPAIGNS,
  REFERRAL_SOURCES,
  type Channel,
  type PaidCampaign,
  type Touch,
} from './demo-marketing.ts';
import type { SeededRandom } from './seeded-random.ts';

const SEARCH_REFERRER: Record<string, string> = { google: 'https://www.google.com/', bing: 'https://www.bing.com/' };
const SOCIAL_REFERRER: Record<string, string> = { linkedin: 'https://www.linkedin.com/', facebook: 'https://l.facebook.com/' };
const DIRECT_PATHS: ReadonlyArray<readonly [string, number]> = [
  ['/', 10],
  ['/pricing', 4],
  ['/docs/getting-started', 3],
  ['/product/attribution', 1],
  ['/integrations', 1],
];

/** How a visit of the given channel arrives: landing page, referrer and UTM tags. */
export function pickTouch(rng: SeededRandom, channel: Channel): Touch {
  switch (channel) {
    case 'paid_search':
      return paidTouch(rng, channel, SEARCH_TABLE, SEARCH_REFERRER);
    case 'paid_social':
      return paidTouch(rng, channel, SOCIAL_TABLE, SOCIAL_REFERRER);
    case 'organic_search':
      return { channel, landingPath: rng.pick(ORGANIC_LANDING_PATHS), referrer: rng.weighted(ORGANIC_REFERRERS), utm: null };
    case 'referral': {
      const source = rng.weighted(REFERRAL_SOURCES);
      const utm = source.utmSource ? { source: source.utmSource, medium: 'referral', name: 'listing' } : null;
      return { channel, landingPath: source.landingPath, referrer: source.referrer, utm };
    }
    case 'event': {
      const event = rng.pick(FIELD_EVENTS);
      return { channel, landingPath: '/', referrer: null, utm: { source: event, medium: 'event', name: `${event}-booth`, content: 'badge-qr' } };
    }
    case 'webinar': {
      const source = rng.chance(0.6) ? 'zoom' : 'on24';
      return { channel, landingPath: '/webinars', referrer: null, utm: { source, medium: 'webinar', name: 'webinar-follow-up' } };
    }
    case 'email':
      return emailTouch('newsletter', 'newsletter', 'header-link', '/blog');
    case 'direct':
      return { channel, landingPath: rng.weighted(DIRECT_PATHS), referrer: null, utm: null };
  }
}

/** The visit that follows a click in an e-mail. */
export function emailTouch(source: string, campaign: string, content: string, landingPath: string): Touch {
  return { channel: 'email', landingPath, referrer: null, utm: { source, medium: 'email', name: campaign, content } };
}

const weighted = (campaigns: readonly PaidCampaign[]) => campaigns.map((c) => [c, c.weight] as const);
const SEARCH_TABLE = weighted(PAID_SEARCH_CAMPAIGNS);
const SOCIAL_TABLE = weighted(PAID_SOCIAL_CAMPAIGNS);

function paidTouch(rng: SeededRandom, channel: Channel, table: ReadonlyArray<readonly [PaidCampaign, number]>, referrers: Record<string, string>): Touch {
  const campaign = rng.weighted(table);
  const utm = {
    source: campaign.source,
    medium: campaign.medium,
    name: campaign.name,
    ...(campaign.terms ? { term: rng.pick(campaign.terms) } : {}),
    content: rng.pick(campaign.contents),
  };
  return { channel, landingPath: rng.pick(campaign.landingPaths), referrer: referrers[campaign.source] ?? null, utm };
}
