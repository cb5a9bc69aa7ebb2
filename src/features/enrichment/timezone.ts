import ct from 'countries-and-timezones';

export interface ZoneGuess {
  /** The IANA zone when the country has exactly one of its own; undefined otherwise. */
  zone: string | undefined;
  /** The country's own zones (those whose first country it is), for a caller to show. */
  candidates: string[];
}

const cache = new Map<string, ZoneGuess>();

/**
 * The IANA time zone of a country when it has only one (DE -> Europe/Berlin). Zones a
 * country only borrows (Europe/Zurich for Büsingen, DE) do not count. Multi-zone
 * countries (US, CA, AU, BR, RU, ES with the Canaries...) get no zone: a wrong guess
 * would send at 3 am, and "the country's capital" is wrong for most of its people; the
 * browser's zone (context.timezone) or a provider is the better source there.
 */
export function zoneOfCountry(code: string): ZoneGuess {
  const known = cache.get(code);
  if (known) return known;
  const zones = ct.getCountry(code)?.timezones ?? [];
  const own = zones.filter((z) => ct.getTimezone(z)?.countries[0] === code);
  const guess: ZoneGuess = { zone: own.length === 1 ? own[0] : undefined, candidates: own };
  cache.set(code, guess);
  return guess;
}
