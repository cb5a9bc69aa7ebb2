// Reference data for the demo's marketing: the vendor's website, its channels and
// campaigns, forms, content, webinars and e-mails. The vendor is "Northstack", a fictional
// B2B software company whose site lives on the reserved `.example` domain.

export const SITE = 'https://www.northstack.example';

export interface SitePage {
  name: string;
  path: string;
  weight: number;
}

/** Pages a visitor browses after landing, with how often they are viewed. */
export const SITE_PAGES: readonly SitePage[] = [
  { name: 'Home', path: '/', weight: 14 },
  { name: 'Pricing', path: '/pricing', weight: 10 },
  { name: 'Attribution', path: '/product/attribution', weight: 7 },
  { name: 'Journeys', path: '/product/journeys', weight: 6 },
  { name: 'Segments', path: '/product/segments', weight: 5 },
  { name: 'Data Quality', path: '/product/data-quality', weight: 4 },
  { name: 'Integrations', path: '/integrations', weight: 5 },
  { name: 'Customers', path: '/customers', weight: 4 },
  { name: 'Case Study: Bluepeak Health', path: '/customers/bluepeak-health', weight: 2 },
  { name: 'Case Study: Irongate Logistics', path: '/customers/irongate-logistics', weight: 2 },
  { name: 'Blog', path: '/blog', weight: 5 },
  { name: 'Blog: What Marketing Ops Actually Does', path: '/blog/what-marketing-ops-does', weight: 4 },
  { name: 'Blog: Multi-Touch Attribution Models Compared', path: '/blog/attribution-models-compared', weight: 4 },
  { name: 'Blog: Lead Scoring With Decay', path: '/blog/lead-scoring-with-decay', weight: 3 },
  { name: 'Blog: UTM Naming Conventions', path: '/blog/utm-naming-conventions', weight: 3 },
  { name: 'Blog: The Campaign QA Checklist', path: '/blog/campaign-qa-checklist', weight: 2 },
  { name: 'Resources', path: '/resources', weight: 3 },
  { name: 'Webinars', path: '/webinars', weight: 2 },
  { name: 'Security', path: '/security', weight: 2 },
  { name: 'Docs: Getting Started', path: '/docs/getting-started', weight: 3 },
  { name: 'About', path: '/about', weight: 1.5 },
  { name: 'Careers', path: '/careers', weight: 1 },
  { name: 'Compare: Northstack vs Marketo', path: '/compare/marketo', weight: 1.5 },
  { name: 'Book a Demo', path: '/demo', weight: 2 },
];

export const PAGE_BY_PATH: ReadonlyMap<string, SitePage> = new Map(SITE_PAGES.map((p) => [p.path, p]));

/** How a session arrived: one of the channel groupings marketers report on. */
export type Channel = 'paid_search' | 'paid_social' | 'organic_search' | 'email' | 'referral' | 'event' | 'webinar' | 'direct';

export interface Utm {
  source: string;
  medium: string;
  name: string;
  term?: string;
  content?: string;
}

/** A way in: the landing page, the referrer and the UTM tags that came with it. */
export interface Touch {
  channel: Channel;
  landingPath: string;
  referrer: string | null;
  utm: Utm | null;
}

/** Share of first visits by channel (email comes later: it needs a known address). */
export const FIRST_TOUCH_CHANNELS: ReadonlyArray<readonly [Channel, number]> = [
  ['paid_search', 20],
  ['paid_social', 17],
  ['organic_search', 24],
  ['referral', 8],
  ['event', 5],
  ['webinar', 4],
  ['direct', 22],
];

/** Channels of later visits by someone already known. */
export const RETURN_CHANNELS: ReadonlyArray<readonly [Channel, number]> = [
  ['direct', 35],
  ['organic_search', 20],
  ['paid_search', 12],
  ['paid_social', 10],
  ['referral', 5],
  ['webinar', 3],
  ['event', 2],
];

export interface PaidCampaign {
  source: string;
  medium: string;
  name: string;
  weight: number;
  landingPaths: readonly string[];
  terms?: readonly string[];
  contents: readonly string[];
}

export const PAID_SEARCH_CAMPAIGNS: readonly PaidCampaign[] = [
  { source: 'google', medium: 'cpc', name: 'brand-search', weight: 6, landingPaths: ['/', '/pricing'], terms: ['northstack', 'northstack pricing', 'northstack reviews'], contents: ['rsa-brand-a', 'rsa-brand-b'] },
  { source: 'google', medium: 'cpc', name: 'mops-platform-nonbrand', weight: 5, landingPaths: ['/', '/product/journeys', '/product/segments'], terms: ['marketing operations platform', 'marketing automation software', 'mops tools', 'self hosted marketing automation'], contents: ['rsa-platform-a', 'rsa-platform-b'] },
  { source: 'google', medium: 'cpc', name: 'attribution-nonbrand', weight: 4, landingPaths: ['/product/attribution', '/blog/attribution-models-compared'], terms: ['multi touch attribution software', 'b2b marketing attribution', 'marketing attribution tool'], contents: ['rsa-attribution-a', 'rsa-attribution-b'] },
  { source: 'google', medium: 'cpc', name: 'competitor-conquest', weight: 2, landingPaths: ['/compare/marketo'], terms: ['marketo alternative', 'hubspot marketing hub alternative', 'pardot alternative'], contents: ['rsa-compare-a'] },
  { source: 'bing', medium: 'cpc', name: 'mops-platform-nonbrand', weight: 1, landingPaths: ['/', '/pricing'], terms: ['marketing operations software', 'marketing automation platform'], contents: ['rsa-platform-a'] },
];

export const PAID_SOCIAL_CAMPAIGNS: readonly PaidCampaign[] = [
  { source: 'linkedin', medium: 'paid_social', name: 'abm-enterprise-accounts', weight: 5, landingPaths: ['/product/attribution', '/customers'], contents: ['carousel-roi', 'single-image-cmo', 'document-ad-playbook'] },
  { source: 'linkedin', medium: 'paid_social', name: 'webinar-promo', weight: 3, landingPaths: ['/webinars'], contents: ['event-ad', 'video-30s'] },
  { source: 'linkedin', medium: 'paid_social', name: 'ebook-mops-playbook', weight: 4, landingPaths: ['/resources'], contents: ['lead-gen-form', 'single-image-playbook'] },
  { source: 'facebook', medium: 'paid_social', name: 'retargeting-demo', weight: 2, landingPaths: ['/demo', '/pricing'], contents: ['video-15s', 'image-testimonial'] },
  { source: 'facebook', medium: 'paid_social', name: 'lookalike-trial', weight: 1, landingPaths: ['/'], contents: ['image-a', 'image-b'] },
];

export const ORGANIC_REFERRERS: ReadonlyArray<readonly [string, number]> = [
  ['https://www.google.com/', 82],
  ['https://www.bing.com/', 10],
  ['https://duckduckgo.com/', 6],
  ['https://search.yahoo.com/', 2],
];

export const ORGANIC_LANDING_PATHS: readonly string[] = [
  '/blog/what-marketing-ops-does', '/blog/attribution-models-compared', '/blog/lead-scoring-with-decay',
  '/blog/utm-naming-conventions', '/blog/campaign-qa-checklist', '/', '/product/attribution', '/docs/getting-started',
];

/** Referral sites; some tag their links with UTMs (review sites do). */
export const REFERRAL_SOURCES: ReadonlyArray<readonly [{ referrer: string; utmSource: string | null; landingPath: string }, number]> = [
  [{ referrer: 'https://www.g2.com/categories/marketing-automation', utmSource: 'g2', landingPath: '/' }, 4],
  [{ referrer: 'https://www.capterra.com/marketing-automation-software/', utmSource: 'capterra', landingPath: '/pricing' }, 3],
  [{ referrer: 'https://news.ycombinator.com/', utmSource: null, landingPath: '/blog/attribution-models-compared' }, 1],
  [{ referrer: 'https://www.reddit.com/r/marketing/', utmSource: null, landingPath: '/blog/what-marketing-ops-does' }, 1.5],
  [{ referrer: 'https://martech-weekly.example/issues/214', utmSource: 'martech-weekly', landingPath: '/blog/utm-naming-conventions' }, 1.5],
  [{ referrer: 'https://partners.martech-hub.example/directory', utmSource: 'partner-directory', landingPath: '/integrations' }, 1],
];

/** Field events; visits from them carry utm_medium=event. */
export const FIELD_EVENTS: readonly string[] = ['mops-summit', 'saastr-annual', 'b2b-marketing-expo', 'dreamforce-afterparty'];

export const FORMS = {
  newsletter: { id: 'frm-newsletter', name: 'Newsletter Signup' },
  content: { id: 'frm-content', name: 'Content Download' },
  webinar: { id: 'frm-webinar', name: 'Webinar Registration' },
  contactSales: { id: 'frm-contact-sales', name: 'Contact Sales' },
  demo: { id: 'frm-demo', name: 'Demo Request' },
  trial: { id: 'frm-trial', name: 'Free Trial Signup' },
} as const;

export type FormKey = keyof typeof FORMS;

/** What makes an anonymous visitor give their name, and how often. */
export const CONVERSIONS: ReadonlyArray<readonly [FormKey, number]> = [
  ['content', 28],
  ['newsletter', 20],
  ['webinar', 18],
  ['trial', 14],
  ['demo', 11],
  ['contactSales', 9],
];

/** The page each form lives on. */
export const FORM_PAGES: Record<FormKey, string> = {
  newsletter: '/blog',
  content: '/resources',
  webinar: '/webinars',
  contactSales: '/pricing',
  demo: '/demo',
  trial: '/pricing',
};

export const CONTENT_ASSETS: ReadonlyArray<{ id: string; title: string; type: string }> = [
  { id: 'ast-mops-playbook', title: 'The Marketing Ops Playbook', type: 'ebook' },
  { id: 'ast-attribution-report', title: 'State of B2B Attribution', type: 'report' },
  { id: 'ast-scoring-template', title: 'Lead Scoring Model Template', type: 'template' },
  { id: 'ast-consent-checklist', title: 'GDPR & CCPA Consent Checklist', type: 'checklist' },
  { id: 'ast-abm-whitepaper', title: 'Running ABM for Enterprise Accounts', type: 'whitepaper' },
  { id: 'ast-qa-checklist', title: 'Campaign QA Checklist', type: 'template' },
];

export const WEBINAR_TITLES: readonly string[] = [
  'Attribution 101: From First Touch to Shapley',
  'Lead Scoring That Sales Actually Trusts',
  'Clean Data, Better Journeys',
  'ABM for Enterprise Accounts',
  'Consent and Compliance for Marketers',
  'Campaign QA at Scale',
  'Building a Lean MOps Stack',
];

export const NEWSLETTER_SUBJECTS: readonly string[] = [
  'The MOps Digest: 5 UTM mistakes to stop making',
  'The MOps Digest: what a W-shaped model really tells you',
  'The MOps Digest: scoring decay, explained',
  'The MOps Digest: your stack audit template',
  'The MOps Digest: consent records that survive an audit',
  'The MOps Digest: journeys with holdout groups',
];

/** The welcome-and-nurture sequence a new contact receives, by days after sign-up. */
export const NURTURE_EMAILS: ReadonlyArray<{ day: number; id: string; subject: string; link: string }> = [
  { day: 0, id: 'nurture-welcome', subject: 'Welcome to Northstack', link: '/docs/getting-started' },
  { day: 3, id: 'nurture-attribution', subject: 'See which channels really drive pipeline', link: '/product/attribution' },
  { day: 8, id: 'nurture-case-study', subject: 'How Bluepeak Health cut reporting time by 80%', link: '/customers/bluepeak-health' },
  { day: 15, id: 'nurture-demo', subject: 'Ready for a 20-minute walkthrough?', link: '/demo' },
];

export const DESKTOP_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
];

export const MOBILE_USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
];
