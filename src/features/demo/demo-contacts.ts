import type { DemoAccount } from './demo-accounts.ts';
import type { Device } from './demo-event-sink.ts';
import { DESKTOP_USER_AGENTS, MOBILE_USER_AGENTS, NEWSLETTER_SUBJECTS, WEBINAR_TITLES } from './demo-marketing.ts';
import { DEMO_FREE_MAIL_DOMAINS, emailLocalPart, emailSlug, FIRST_NAMES, LAST_NAMES, titleTableFor, type JobTitle } from './demo-people.ts';
import { mixSeed, type SeededRandom } from './seeded-random.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

/** A person at a demo account who will give their name. */
export interface DemoPerson {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  title: JobTitle;
  phone: string | null;
}

export function describePerson(rng: SeededRandom, seed: number, account: DemoAccount, index: number, usedLocalParts: Set<string>): DemoPerson {
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const title = rng.weighted(titleTableFor(account.employees));
  const freeMail = rng.chance(account.employees < 50 ? 0.15 : 0.06);
  let email: string;
  if (freeMail) {
    // The number is the contact's position in the demo: free-mail addresses never collide.
    email = `${emailSlug(firstName)}${emailSlug(lastName)[0]}${account.index * 200 + index}@${rng.pick(DEMO_FREE_MAIL_DOMAINS)}`;
  } else {
    const base = emailLocalPart(account.emailFormat, firstName, lastName);
    let local = base;
    for (let n = 2; usedLocalParts.has(local); n += 1) local = `${base}${n}`;
    usedLocalParts.add(local);
    email = `${local}@${account.domain}`;
  }
  const phone = rng.chance(0.4) ? `${account.country.phonePrefix} ${rng.int(200, 989)} ${rng.int(100, 999)} ${rng.int(1000, 9999)}` : null;
  return { userId: `demo-${seed}-user-${account.index}-${index}`, firstName, lastName, email, title, phone };
}

/**
 * A browser with its analytics.js anonymousId. The id is UUID-shaped like the SDK's, built
 * from (seed, account, device number) so that it is deterministic and never repeats.
 */
export function newDevice(rng: SeededRandom, seed: number, account: DemoAccount, deviceNumber: number, mobile: boolean): Device {
  const hex = (value: number, digits: number) => (value >>> 0).toString(16).padStart(digits, '0').slice(-digits);
  // XOR with seed-derived masks hides the counters yet keeps them one-to-one: still unique.
  const mask = mixSeed(seed, 0xde71ce);
  const anonymousId = [
    hex(mixSeed(seed, account.index, deviceNumber), 8),
    hex((account.index >>> 16) ^ (mask >>> 16), 4),
    hex((account.index & 0xffff) ^ (mask & 0xffff), 4),
    hex(deviceNumber ^ (mixSeed(mask) & 0xffff), 4),
    hex(mixSeed(deviceNumber, seed), 8) + hex(mixSeed(account.index, deviceNumber), 4),
  ].join('-');
  return {
    anonymousId,
    userAgent: rng.pick(mobile ? MOBILE_USER_AGENTS : DESKTOP_USER_AGENTS),
    locale: account.country.locale,
    timezone: rng.pick(account.country.timezones),
  };
}

/** The demo's calendar: webinars and newsletters on a fixed cadence within the window. */
export class DemoCalendar {
  readonly windowStartMs: number;
  readonly anchorMs: number;
  readonly #firstWebinarMs: number;
  readonly #firstNewsletterMs: number;

  constructor(anchorMs: number, windowDays: number) {
    this.anchorMs = anchorMs;
    this.windowStartMs = anchorMs - windowDays * DAY_MS;
    const day0 = Math.floor(this.windowStartMs / DAY_MS) * DAY_MS;
    this.#firstWebinarMs = day0 + 10 * DAY_MS + 16 * HOUR_MS;
    this.#firstNewsletterMs = day0 + 2 * DAY_MS + 14 * HOUR_MS;
  }

  /** The first webinar held after `afterMs` (it may lie beyond the anchor). */
  nextWebinar(afterMs: number): { id: string; title: string; atMs: number } {
    const k = Math.max(0, Math.ceil((afterMs - this.#firstWebinarMs) / (14 * DAY_MS)));
    return { id: `webinar-${k + 1}`, title: WEBINAR_TITLES[k % WEBINAR_TITLES.length]!, atMs: this.#firstWebinarMs + k * 14 * DAY_MS };
  }

  /** Newsletters sent after `afterMs` and before the anchor. */
  newslettersAfter(afterMs: number): Array<{ id: string; subject: string; atMs: number }> {
    const sends: Array<{ id: string; subject: string; atMs: number }> = [];
    const k0 = Math.max(0, Math.ceil((afterMs - this.#firstNewsletterMs) / (14 * DAY_MS)));
    for (let k = k0; ; k += 1) {
      const atMs = this.#firstNewsletterMs + k * 14 * DAY_MS;
      if (atMs > this.anchorMs) break;
      sends.push({ id: `newsletter-${new Date(atMs).toISOString().slice(0, 10)}`, subject: NEWSLETTER_SUBJECTS[k % NEWSLETTER_SUBJECTS.length]!, atMs });
    }
    return sends;
  }
}
