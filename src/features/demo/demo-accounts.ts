import { COUNTRIES, DEMO_TLD, INDUSTRIES, NAME_BODIES, NAME_HEADS, SIZE_BANDS, type Country, type Industry } from './demo-companies.ts';
import { EMAIL_FORMATS, emailSlug, type EmailFormat } from './demo-people.ts';
import { mixSeed, SeededRandom } from './seeded-random.ts';

/** One company of the demo, derived from (seed, index) alone. */
export interface DemoAccount {
  index: number;
  /** The Segment groupId. */
  externalId: string;
  name: string;
  domain: string;
  industry: Industry;
  employees: number;
  /** USD. */
  annualRevenue: number;
  country: Country;
  emailFormat: EmailFormat;
  /** How many people from the company will give their name. */
  contactCount: number;
}

export const MAX_CONTACTS_PER_ACCOUNT = 150;

// Names are (head, body, tail) triples. Decomposing a permuted index into the triple keeps
// every name in a block of 30,000 accounts distinct without remembering those already used;
// later blocks add a number to the domain.
const NAME_BLOCK = NAME_HEADS.length * NAME_BODIES.length * 10;
const NAME_STRIDE = 7919; // prime, so coprime with NAME_BLOCK: the map below is a permutation
const COUNTRY_TABLE = COUNTRIES.map((c) => [c, c.weight] as const);
const INDUSTRY_TABLE = INDUSTRIES.map((i) => [i, i.weight] as const);

export function demoAccountExternalId(seed: number, index: number): string {
  return `demo-${seed}-acct-${index}`;
}

export function describeDemoAccount(seed: number, index: number): DemoAccount {
  const rng = new SeededRandom(mixSeed(seed, index, 0xacc));
  const [low, high] = rng.weighted(SIZE_BANDS);
  const employees = Math.round(rng.logUniform(low, high));
  const industry = rng.weighted(INDUSTRY_TABLE);
  const country = rng.weighted(COUNTRY_TABLE);
  const revenue = employees * industry.revenuePerEmployee * rng.jitter(0.35);
  const { name, domain } = companyName(seed, index, industry, country, rng);
  // Small companies mostly use first names; everyone else first.last or a variant.
  const emailFormat: EmailFormat = employees < 50 && rng.chance(0.4) ? 'first' : rng.weighted(EMAIL_FORMATS);
  const contactCount = Math.min(MAX_CONTACTS_PER_ACCOUNT, Math.max(1, Math.round(0.85 * employees ** 0.35 * rng.jitter(0.5))));
  return {
    index,
    externalId: demoAccountExternalId(seed, index),
    name,
    domain,
    industry,
    employees,
    annualRevenue: Math.max(50_000, Math.round(revenue / 1000) * 1000),
    country,
    emailFormat,
    contactCount,
  };
}

function companyName(seed: number, index: number, industry: Industry, country: Country, rng: SeededRandom) {
  const position = ((index % NAME_BLOCK) * NAME_STRIDE + (mixSeed(seed) % NAME_BLOCK)) % NAME_BLOCK;
  const round = Math.floor(index / NAME_BLOCK);
  const head = NAME_HEADS[position % NAME_HEADS.length]!;
  const rawBody = NAME_BODIES[Math.floor(position / NAME_HEADS.length) % NAME_BODIES.length]!;
  // "Stonestone" reads badly; "wick" is in no list, so the swap cannot create a duplicate.
  const body = rawBody === head.toLowerCase() ? 'wick' : rawBody;
  const tail = industry.tails[Math.floor(position / (NAME_HEADS.length * NAME_BODIES.length)) % industry.tails.length]!;
  const brand = `${head}${body} ${tail}`;
  const suffix = rng.chance(0.35) ? ` ${rng.pick(country.companySuffixes)}` : '';
  return { name: `${brand}${suffix}`, domain: `${emailSlug(brand)}${round > 0 ? round + 1 : ''}.${DEMO_TLD}` };
}
