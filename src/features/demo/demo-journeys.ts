import type { DemoAccount } from './demo-accounts.ts';
import { DAY_MS, DemoCalendar, describePerson, HOUR_MS, newDevice, type DemoPerson } from './demo-contacts.ts';
import { EventSink, landingUrl, type Actor, type DemoEvent, type Device, type PageContext } from './demo-event-sink.ts';
import {
  CONTENT_ASSETS,
  CONVERSIONS,
  FIRST_TOUCH_CHANNELS,
  FORM_PAGES,
  FORMS,
  NURTURE_EMAILS,
  PAGE_BY_PATH,
  RETURN_CHANNELS,
  SITE,
  SITE_PAGES,
  type Channel,
  type FormKey,
  type Touch,
} from './demo-marketing.ts';
import { planOpportunities, type DemoOpportunity } from './demo-opportunities.ts';
import { emailTouch, pickTouch } from './demo-touches.ts';
import { mixSeed, SeededRandom } from './seeded-random.ts';

export const WINDOW_DAYS = 180;

/** Everything one account contributes to the demo, in time order. */
export interface AccountStory {
  events: DemoEvent[];
  opportunities: DemoOpportunity[];
}

interface Story {
  seed: number;
  account: DemoAccount;
  rng: SeededRandom;
  sink: EventSink;
  calendar: DemoCalendar;
  devices: number;
  usedLocalParts: Set<string>;
}

const PAGE_TABLE = SITE_PAGES.map((p) => [p, p.weight] as const);
// Tuned so that scale 1 gives about 500,000 events (see demo.test.ts).
const RETURN_VISITS_PER_MONTH = 1.7;
const ANONYMOUS_VISITORS_PER_CONTACT = 0.8;

/**
 * The account's people and what they do: anonymous visits that later identify, form
 * fills, webinars, content, demo requests, e-mail engagement, visitors who never give
 * their name, and the account's opportunities. A pure function of (seed, account, anchor).
 */
export function generateAccountStory(seed: number, account: DemoAccount, anchorMs: number): AccountStory {
  const calendar = new DemoCalendar(anchorMs, WINDOW_DAYS);
  const rng = new SeededRandom(mixSeed(seed, account.index, 0x5707));
  const story: Story = { seed, account, rng, sink: new EventSink(`demo-${seed}-${account.index}`, anchorMs), calendar, devices: 0, usedLocalParts: new Set() };
  const latest = anchorMs - 2 * HOUR_MS;
  const start = calendar.windowStartMs + rng.next() * (anchorMs - calendar.windowStartMs - 3 * DAY_MS);
  const firstConversion = Math.min(latest, start + rng.exponential(4 * DAY_MS));
  for (let i = 0; i < account.contactCount; i += 1) {
    // The first contact is the champion; colleagues follow over the remaining time.
    const conversion = i === 0 ? firstConversion : firstConversion + (latest - firstConversion) * rng.next() ** 1.5;
    emitKnownContact(story, i, conversion);
  }
  const visitors = rng.poisson(account.contactCount * ANONYMOUS_VISITORS_PER_CONTACT);
  for (let v = 0; v < visitors; v += 1) emitVisitor(story, start);
  const events = story.sink.events.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  return { events, opportunities: planOpportunities(seed, account, firstConversion, anchorMs) };
}

function device(story: Story, mobile: boolean): Device {
  story.devices += 1;
  return newDevice(story.rng, story.seed, story.account, story.devices, mobile);
}

/** One visit: the landing page with its tags, then pages clicked through. Returns the last page's time. */
function emitSession(story: Story, actor: Actor, startMs: number, touch: Touch, pageCount: number, lastPath?: string): number {
  const { rng, sink } = story;
  let atMs = startMs;
  let path = touch.landingPath;
  let url = landingUrl(path, touch.utm);
  let referrer = touch.referrer;
  for (let n = 0; n < pageCount; n += 1) {
    if (n > 0) {
      atMs += 8_000 + rng.exponential(70_000);
      referrer = url;
      path = n === pageCount - 1 && lastPath ? lastPath : rng.weighted(PAGE_TABLE).path;
      url = `${SITE}${path}`;
    }
    sink.page(actor, atMs, { page: PAGE_BY_PATH.get(path)!, url, referrer, utm: n === 0 ? touch.utm : null });
  }
  return atMs;
}

function formContext(key: FormKey): PageContext {
  const path = FORM_PAGES[key];
  return { page: PAGE_BY_PATH.get(path)!, url: `${SITE}${path}`, referrer: null, utm: null };
}

function emitKnownContact(story: Story, index: number, conversionMs: number): void {
  const { rng, account } = story;
  const person = describePerson(rng, story.seed, account, index, story.usedLocalParts);
  const browser = device(story, rng.chance(0.15));
  const anonymous: Actor = { device: browser, userId: null };
  const firstChannel = rng.weighted(FIRST_TOUCH_CHANNELS);
  const form = rng.weighted(CONVERSIONS);
  // Earlier anonymous visits, then the visit that ends on the form page.
  const earlier = rng.poisson(0.9);
  let visitMs = conversionMs - 6 * 60_000;
  const starts: number[] = [];
  for (let k = 0; k < earlier; k += 1) {
    visitMs -= HOUR_MS + rng.exponential(5 * DAY_MS);
    if (visitMs < story.calendar.windowStartMs) break;
    starts.unshift(visitMs);
  }
  starts.forEach((startMs, k) => emitSession(story, anonymous, startMs, pickTouch(rng, k === 0 ? firstChannel : rng.weighted(RETURN_CHANNELS)), 1 + rng.poisson(1.5)));
  const converting = pickTouch(rng, starts.length === 0 ? firstChannel : rng.weighted(RETURN_CHANNELS));
  const formViewMs = emitSession(story, anonymous, conversionMs - 5 * 60_000, converting, 1 + rng.poisson(1.2), FORM_PAGES[form]);
  emitConversion(story, person, browser, Math.max(formViewMs + 20_000, conversionMs), form, firstChannel);
  emitEngagement(story, person, browser, conversionMs, form);
}

/** The form fill that makes a visitor known: identify (stitching the device), form, group. */
function emitConversion(story: Story, person: DemoPerson, browser: Device, atMs: number, form: FormKey, leadSource: Channel): void {
  const { account, sink } = story;
  const actor: Actor = { device: browser, userId: person.userId };
  const at = formContext(form);
  const traits: Record<string, unknown> = {
    email: person.email,
    firstName: person.firstName,
    lastName: person.lastName,
    title: person.title.title,
    company: account.name,
    country: account.country.code,
    leadSource,
  };
  if (person.phone) traits.phone = person.phone;
  sink.identify(actor, atMs, traits, at);
  sink.track(actor, atMs + 400, 'Form Submitted', { form_id: FORMS[form].id, form_name: FORMS[form].name, page_path: at.page.path }, at);
  sink.group(actor, atMs + 900, account.externalId, {
    name: account.name,
    website: `https://www.${account.domain}`,
    industry: account.industry.name,
    employees: account.employees,
    annualRevenue: account.annualRevenue,
    country: account.country.code,
  });
  emitFormFollowUp(story, actor, atMs + 1_500, form, at);
}

/** What a form leads to: the asset, the webinar seat, the demo, the trial. */
function emitFormFollowUp(story: Story, actor: Actor, atMs: number, form: FormKey, at: PageContext): void {
  const { rng, sink, calendar } = story;
  if (form === 'content') {
    const asset = rng.pick(CONTENT_ASSETS);
    sink.track(actor, atMs, 'Content Downloaded', { asset_id: asset.id, asset_title: asset.title, asset_type: asset.type }, at);
  } else if (form === 'webinar') {
    const webinar = calendar.nextWebinar(atMs);
    sink.track(actor, atMs, 'Webinar Registered', { webinar_id: webinar.id, webinar_title: webinar.title, webinar_date: new Date(webinar.atMs).toISOString() }, at);
    if (rng.chance(0.55)) {
      // Attendance comes from the webinar platform, server-side: no browser, only the userId.
      const minutes = rng.int(8, 60);
      sink.track({ device: null, userId: actor.userId }, webinar.atMs + minutes * 60_000, 'Webinar Attended', { webinar_id: webinar.id, webinar_title: webinar.title, duration_minutes: minutes });
    }
  } else if (form === 'demo' || form === 'contactSales') {
    sink.track(actor, atMs, 'Demo Requested', { product: 'Northstack Platform', team_size: rng.pick(['1-5', '6-20', '21-50', '50+']), via: FORMS[form].name }, at);
  } else if (form === 'trial') {
    sink.track(actor, atMs, 'Trial Started', { plan: 'Growth', trial_days: 14 }, at);
  }
}

/** Life after conversion: nurture and newsletter e-mails, return visits, more forms, a second device. */
function emitEngagement(story: Story, person: DemoPerson, browser: Device, conversionMs: number, form: FormKey): void {
  const { rng, calendar } = story;
  const engagement = rng.logUniform(0.25, 3);
  const known: Actor = { device: browser, userId: person.userId };
  for (const email of NURTURE_EMAILS) {
    const sentMs = conversionMs + email.day * DAY_MS + (email.day === 0 ? 60_000 : rng.between(0, 8 * HOUR_MS));
    emitEmail(story, known, sentMs, engagement, { source: 'nurture', campaign: email.id, subject: email.subject, link: email.link });
  }
  if (form === 'newsletter' || rng.chance(0.55)) {
    for (const letter of calendar.newslettersAfter(conversionMs)) {
      emitEmail(story, known, letter.atMs, engagement, { source: 'newsletter', campaign: letter.id, subject: letter.subject, link: rng.pick(SITE_PAGES).path });
    }
  }
  const months = (calendar.anchorMs - conversionMs) / (30 * DAY_MS);
  const visits = rng.poisson(engagement * months * RETURN_VISITS_PER_MONTH);
  for (let v = 0; v < visits; v += 1) {
    const startMs = conversionMs + rng.next() * (calendar.anchorMs - conversionMs);
    const endMs = emitSession(story, known, startMs, pickTouch(rng, rng.weighted(RETURN_CHANNELS)), 1 + rng.poisson(1.5));
    if (rng.chance(0.12 * engagement)) emitLaterForm(story, known, endMs + 30_000);
  }
  if (rng.chance(0.15)) {
    // A second device: anonymous until the person signs in there, which stitches it too.
    const phone = device(story, true);
    const startMs = conversionMs + rng.next() * (calendar.anchorMs - conversionMs);
    const endMs = emitSession(story, { device: phone, userId: null }, startMs, pickTouch(rng, rng.weighted(RETURN_CHANNELS)), 1 + rng.poisson(1));
    story.sink.identify({ device: phone, userId: person.userId }, endMs + 15_000, { email: person.email }, null);
  }
}

function emitLaterForm(story: Story, actor: Actor, atMs: number): void {
  const form = story.rng.weighted<FormKey>([['content', 5], ['webinar', 3], ['demo', 1.5], ['contactSales', 0.5]]);
  const at = formContext(form);
  story.sink.page(actor, atMs, at);
  story.sink.track(actor, atMs + 25_000, 'Form Submitted', { form_id: FORMS[form].id, form_name: FORMS[form].name, page_path: at.page.path }, at);
  emitFormFollowUp(story, actor, atMs + 26_000, form, at);
}

interface EmailSend {
  source: 'nurture' | 'newsletter';
  campaign: string;
  subject: string;
  link: string;
}

/** Opens and clicks (from the e-mail provider, server-side) and the visit a click starts. */
function emitEmail(story: Story, known: Actor, sentMs: number, engagement: number, email: EmailSend): void {
  const { rng, sink } = story;
  if (!rng.chance(Math.min(0.85, 0.12 + 0.2 * engagement))) return;
  const server: Actor = { device: null, userId: known.userId };
  const properties = { email_id: email.campaign, email_subject: email.subject, campaign_name: email.campaign, campaign_source: email.source };
  const openedMs = sentMs + rng.exponential(5 * HOUR_MS);
  sink.track(server, openedMs, 'Email Opened', properties);
  if (!rng.chance(Math.min(0.6, 0.12 + 0.08 * engagement))) return;
  const clickedMs = openedMs + 5_000 + rng.exponential(60_000);
  sink.track(server, clickedMs, 'Email Link Clicked', { ...properties, link_url: `${SITE}${email.link}` });
  emitSession(story, known, clickedMs + 2_000, emailTouch(email.source, email.campaign, 'body-link', email.link), 1 + rng.poisson(1));
}

/** Someone from the company who browses but never gives their name. */
function emitVisitor(story: Story, accountStartMs: number): void {
  const { rng, calendar } = story;
  const visitor: Actor = { device: device(story, rng.chance(0.3)), userId: null };
  const sessions = 1 + rng.poisson(0.4);
  for (let s = 0; s < sessions; s += 1) {
    const startMs = accountStartMs + rng.next() * (calendar.anchorMs - accountStartMs);
    emitSession(story, visitor, startMs, pickTouch(rng, s === 0 ? rng.weighted(FIRST_TOUCH_CHANNELS) : rng.weighted(RETURN_CHANNELS)), 1 + rng.poisson(1.2));
  }
}
